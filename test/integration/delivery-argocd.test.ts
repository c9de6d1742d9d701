// Argo CD delivery on the real control plane with the upstream Application
// CRD: every mode writes only the right field of the right Application (atomic
// lists keep their other entries); deployed versions flow back; reverts are
// re-applied; an Application that did not opt in is never written; bad input
// fails naming the object and field, and recovers with no manual step.
import { AdmissionregistrationV1Api, EventsV1Api } from '@kubernetes/client-node';
import type { Application } from '../../src/api/application.js';
import { Applications } from '../../src/api/resources.js';
import { freePort } from '../../src/local/controlplane/index.js';
import { argoApp, argoClient, type ArgoApp } from '../kit/argocd.js';
import { application, environment, target } from '../kit/objects.js';
import { cluster, targetStatus } from '../kit/cluster.js';
import { runOperator } from '../kit/operator.js';
import type { OperatorProcess } from '../kit/operator-process.js';
import { eventually } from '../kit/eventually.js';
import { freshNamespace } from '../controlplane/env.js';
import { scrape, sum } from '../kit/metrics-text.js';

const k = cluster();
const { kc } = k;
const argo = argoClient(kc);

let ns: string;
let argoNs: string;
let operator: OperatorProcess;
let metricsUrl: string;

const targetOf = targetStatus;
const condition = (a: Application, type: string) => a.status?.conditions?.find((c) => c.type === type);

const untilTarget = (
  app: string,
  target: string,
  check: (t: NonNullable<ReturnType<typeof targetOf>>) => boolean,
  what: string,
) =>
  k.appWhen(ns, app, `${app}/${target}: ${what}`, (a) => {
    const t = targetOf(a, target);
    return t && check(t);
  });
const delivered = (app: string, target: string) =>
  untilTarget(app, target, (t) => t.delivery?.state === 'Delivered', 'Delivered');

const apply = (...objects: Parameters<typeof k.apply>[1]) => k.apply(ns, objects);

/**
 * Argo CD Application `argoName` (`spec`, authorizing `authorized`), then
 * `version` of `app` requested in environment `env` (its target has the same
 * name) until Delivered: the Argo CD Application before and after, and `app`.
 */
async function deliver(
  argoName: string,
  spec: ArgoApp['spec'],
  authorized: string,
  app: string,
  env: string,
  version: string,
  authorizedFields?: string,
) {
  const before = await argo.create(argoNs, argoApp(argoName, spec, authorized, authorizedFields));
  await apply(depotApp(app, env, version));
  const depot = await delivered(app, env);
  return { before, after: await argo.get(argoNs, argoName), depot };
}

/** A Target in its own environment, delivering to Argo CD Applications in argoNs. */
const argoTarget = (name: string, argocd: object) => [
  environment(name),
  target(name, name, { delivery: { argocd: { applicationNamespace: argoNs, ...argocd } } }),
];

const depotApp = (name: string, env: string, version: string, extra: object = {}) =>
  application(name, { environments: [{ name: env }], versions: { [env]: version }, ...extra });

beforeAll(async () => {
  ns = await freshNamespace(kc, 'argo-depot');
  argoNs = await freshNamespace(kc, 'argocd');
  await apply(
    ...argoTarget('rev', { applicationName: '${application}-${environment}' }),
    ...argoTarget('helm', {
      applicationName: '${application}-${target}',
      set: { helmParameter: 'image.tag' },
    }),
    ...argoTarget('kust', {
      applicationName: '${application}-kust',
      set: { kustomizeImage: 'ghcr.io/acme/${application}' },
    }),
    ...argoTarget('multi', {
      applicationName: '${application}-multi',
      source: 'chart',
      set: { helmParameter: 'image.tag' },
    }),
    ...argoTarget('idx', { applicationName: '${application}-idx', source: 1 }),
  );
  metricsUrl = `http://127.0.0.1:${await freePort()}`;
  operator = await runOperator(ns, {
    args: [
      '--metrics-addr',
      metricsUrl.slice('http://'.length),
      '--delivery-retry-base-delay',
      '200ms',
      '--delivery-retry-max-delay',
      '2s',
      '--log-level',
      'debug',
    ],
  });
});

afterAll(async () => {
  await operator?.stop();
});

const gitSource = { repoURL: 'https://github.com/acme/deploy.git', path: 'apps/web', targetRevision: 'main' };

test('targetRevision: the version lands in spec.source.targetRevision and nothing else changes; deployed flows back from status', async () => {
  const {
    before,
    after,
    depot: a,
  } = await deliver('web-rev', { source: gitSource }, `${ns}/rev`, 'web', 'rev', '1.0.0');
  expect(after.spec).toEqual({ ...before.spec, source: { ...gitSource, targetRevision: '1.0.0' } });
  expect(after.metadata?.annotations).toEqual(before.metadata?.annotations);
  const t = targetOf(a, 'rev')!;
  expect(t.delivery).toMatchObject({ state: 'Delivered', attempts: 1 });
  expect(t.delivery?.message).toContain(`Argo CD Application ${argoNs}/web-rev spec.source.targetRevision`);
  expect(t.deployed).toBeUndefined();
  expect(condition(a, 'Delivered')).toMatchObject({ status: 'True' });
  expect(a.status?.history?.find((h) => h.type === 'Delivered' && h.target === 'rev')).toMatchObject({
    to: '1.0.0',
  });

  // Not synced and healthy yet: nothing is reported deployed.
  await argo.reportSynced(argoNs, 'web-rev', { sync: 'OutOfSync' });
  // Argo CD synced it and it is healthy: comparedTo says what runs.
  await argo.reportSynced(argoNs, 'web-rev');
  const deployed = await untilTarget('web', 'rev', (t) => t.deployed === '1.0.0', 'deployed 1.0.0');
  const entry = deployed.status?.history?.find((h) => h.type === 'Deployed' && h.target === 'rev');
  expect(entry).toMatchObject({ actor: 'argocd', to: '1.0.0', environment: 'rev' });

  // Idempotent: the next version is written once; then nothing more.
  await apply(depotApp('web', 'rev', '1.1.0'));
  await untilTarget(
    'web',
    'rev',
    (t) => t.desired === '1.1.0' && t.delivery?.state === 'Delivered',
    'Delivered 1.1.0',
  );
  const rv = (await argo.get(argoNs, 'web-rev')).metadata?.resourceVersion;
  expect((await argo.get(argoNs, 'web-rev')).spec.source?.targetRevision).toBe('1.1.0');
  // deployed stays what Argo CD reports (1.0.0) until it syncs again: the version table shows drift.
  expect(targetOf(await k.app(ns, 'web'), 'rev')?.deployed).toBe('1.0.0');
  await apply(depotApp('web', 'rev', '1.1.0', { description: 'a change that re-runs the reconcile' }));
  await eventually('the Application to be reconciled again', async () => {
    const a = await k.app(ns, 'web');
    return a.status?.observedGeneration === a.metadata.generation;
  });
  expect((await argo.get(argoNs, 'web-rev')).metadata?.resourceVersion).toBe(rv);
});

test('helmParameter: read-modify-write of the atomic helm.parameters list keeps every other entry', async () => {
  const parameters = [
    { name: 'replicas', value: '2' },
    { name: 'image.tag', value: '0.1.0' },
    { name: 'debug', value: 'true', forceString: true },
  ];
  const source = {
    repoURL: 'https://charts.acme.dev',
    chart: 'api',
    targetRevision: '4.2.0',
    helm: { parameters, releaseName: 'api' },
  };
  const { before, after } = await deliver(
    'api-helm',
    { source },
    `${ns}/*`,
    'api',
    'helm',
    '2.3.4',
    'helm:image.tag',
  );
  expect(after.spec).toEqual({
    ...before.spec,
    source: {
      ...source,
      helm: {
        ...source.helm,
        parameters: [parameters[0], { name: 'image.tag', value: '2.3.4' }, parameters[2]],
      },
    },
  });
  await argo.reportSynced(argoNs, 'api-helm');
  await untilTarget('api', 'helm', (t) => t.deployed === '2.3.4', 'deployed from comparedTo helm parameter');
});

test('kustomizeImage: sets the tag of that image (keeping its new name) and leaves the other images', async () => {
  const images = [
    'ghcr.io/acme/other:1.0.0',
    'ghcr.io/acme/shop=registry.local:5000/shop:0.9.0',
    'nginx:1.27',
  ];
  const source = {
    repoURL: 'https://github.com/acme/deploy.git',
    path: 'shop',
    targetRevision: 'main',
    kustomize: { images, namePrefix: 'x-' },
  };
  const { before, after } = await deliver(
    'shop-kust',
    { source },
    `other-ns/kust, ${ns}/kust`,
    'shop',
    'kust',
    '3.0.0',
    'kustomize:ghcr.io/acme/shop',
  );
  expect(after.spec).toEqual({
    ...before.spec,
    source: {
      ...source,
      kustomize: {
        ...source.kustomize,
        images: [images[0], 'ghcr.io/acme/shop=registry.local:5000/shop:3.0.0', images[2]],
      },
    },
  });
  await argo.reportSynced(argoNs, 'shop-kust');
  await untilTarget(
    'shop',
    'kust',
    (t) => t.deployed === '3.0.0',
    'deployed from comparedTo kustomize image',
  );
});

test('multi-source: the source chosen by name or by index, the other sources untouched', async () => {
  const chart = {
    name: 'chart',
    repoURL: 'https://charts.acme.dev',
    chart: 'db',
    targetRevision: '1.0.0',
    helm: {
      parameters: [
        { name: 'image.tag', value: '0.0.1' },
        { name: 'a', value: 'b' },
      ],
    },
  };
  const values = { repoURL: 'https://github.com/acme/values.git', targetRevision: 'main', ref: 'values' };
  const byName = await argo.create(
    argoNs,
    argoApp('db-multi', { sources: [values, chart] }, `${ns}/multi`, 'helm:image.tag'),
  );
  const byIndex = await argo.create(argoNs, argoApp('cache-idx', { sources: [chart, values] }, `${ns}/idx`));
  await apply(depotApp('db', 'multi', '5.0.0'), depotApp('cache', 'idx', '6.0.0'));
  await delivered('db', 'multi');
  await delivered('cache', 'idx');
  expect((await argo.get(argoNs, 'db-multi')).spec).toEqual({
    ...byName.spec,
    sources: [
      values,
      {
        ...chart,
        helm: {
          parameters: [
            { name: 'image.tag', value: '5.0.0' },
            { name: 'a', value: 'b' },
          ],
        },
      },
    ],
  });
  expect((await argo.get(argoNs, 'cache-idx')).spec).toEqual({
    ...byIndex.spec,
    sources: [chart, { ...values, targetRevision: '6.0.0' }],
  });
  await argo.reportSynced(argoNs, 'cache-idx');
  await untilTarget('cache', 'idx', (t) => t.deployed === '6.0.0', 'deployed from comparedTo.sources[1]');
});

test("an Application's spec.targets override names another Argo CD Application", async () => {
  await argo.create(argoNs, argoApp('pachyderm-ide', { source: gitSource }, `${ns}/rev`));
  await apply(
    depotApp('ide', 'rev', '0.5.0', { targets: { rev: { argocd: { applicationName: 'pachyderm-ide' } } } }),
  );
  await delivered('ide', 'rev');
  expect((await argo.get(argoNs, 'pachyderm-ide')).spec.source?.targetRevision).toBe('0.5.0');
});

test('a revert (an ApplicationSet regenerating the Application) is re-applied with a Warning Event and a Reapplied entry', async () => {
  await argo.create(argoNs, argoApp('blog-rev', { source: gitSource }, `${ns}/rev`));
  await apply(depotApp('blog', 'rev', '2.0.0'));
  await delivered('blog', 'rev');
  await argo.merge(argoNs, 'blog-rev', { spec: { source: { targetRevision: 'main' } } });
  const a = await eventually('a Reapplied history entry', async () => {
    const a = await k.app(ns, 'blog');
    return a.status?.history?.some((h) => h.type === 'Reapplied') ? a : undefined;
  });
  expect((await argo.get(argoNs, 'blog-rev')).spec.source?.targetRevision).toBe('2.0.0');
  expect(a.status?.history?.find((h) => h.type === 'Reapplied')).toMatchObject({
    target: 'rev',
    from: 'main',
    to: '2.0.0',
  });
  expect(targetOf(a, 'rev')?.delivery?.state).toBe('Delivered');
  await eventually('a Warning Event Reapplied on the Depot Application', async () => {
    const events = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: ns });
    return events.items.some(
      (e) => e.reason === 'Reapplied' && e.type === 'Warning' && e.regarding?.name === 'blog',
    );
  });
});

test('an Application that does not list the Target is never written; the owner opting in delivers it', async () => {
  const before = await argo.create(
    argoNs,
    argoApp('team-b-rev', { source: gitSource }, 'team-b/*, other/rev'),
  );
  await apply(depotApp('team-b', 'rev', '9.9.9'));
  const a = await untilTarget('team-b', 'rev', (t) => t.delivery?.state === 'Failed', 'Failed');
  const message = targetOf(a, 'rev')!.delivery!.message!;
  // The same message as a missing Application's, and the owner's annotation is not echoed.
  expect(message).toBe(
    `Argo CD Application ${argoNs}/team-b-rev does not exist or does not authorize Target ${ns}/rev: ` +
      `Depot reads and writes it only when its owner adds the annotation depot.sh/authorized-targets: "${ns}/rev" (or "${ns}/*")`,
  );
  expect(condition(a, 'Delivered')).toMatchObject({ status: 'False', reason: 'DeliveryFailed' });
  expect((await argo.get(argoNs, 'team-b-rev')).metadata?.resourceVersion).toBe(
    before.metadata?.resourceVersion,
  );

  await argo.merge(argoNs, 'team-b-rev', {
    metadata: { annotations: { 'depot.sh/authorized-targets': `team-b/*, ${ns}/rev` } },
  });
  await untilTarget('team-b', 'rev', (t) => t.delivery?.state === 'Delivered', 'Delivered after the opt-in');
  expect((await argo.get(argoNs, 'team-b-rev')).spec.source?.targetRevision).toBe('9.9.9');
});

test('bad input: a missing Application, a source index out of range, a source name that does not exist; others unaffected; recovery with no manual step', async () => {
  await argo.create(argoNs, argoApp('few-idx', { sources: [gitSource] }, `${ns}/*`));
  await argo.create(
    argoNs,
    argoApp(
      'nameless-multi',
      { sources: [gitSource, { ...gitSource, path: 'b' }] },
      `${ns}/*`,
      'helm:image.tag',
    ),
  );
  await argo.create(argoNs, argoApp('fine-rev', { source: gitSource }, `${ns}/*`));
  await apply(
    depotApp('ghost', 'rev', '1.0.0'),
    depotApp('few', 'idx', '1.0.0'),
    depotApp('nameless', 'multi', '1.0.0'),
    depotApp('fine', 'rev', '1.0.0'),
  );

  const ghost = await untilTarget('ghost', 'rev', (t) => t.delivery?.state === 'Failed', 'Failed');
  expect(targetOf(ghost, 'rev')?.delivery?.message).toContain(
    `Argo CD Application ${argoNs}/ghost-rev does not exist or does not authorize Target ${ns}/rev`,
  );
  const few = await untilTarget('few', 'idx', (t) => t.delivery?.state === 'Failed', 'Failed');
  expect(targetOf(few, 'idx')?.delivery?.message).toBe(
    `Argo CD Application ${argoNs}/few-idx spec.sources has 1 entries: source index 1 is out of range`,
  );
  const nameless = await untilTarget('nameless', 'multi', (t) => t.delivery?.state === 'Failed', 'Failed');
  expect(targetOf(nameless, 'multi')?.delivery?.message).toBe(
    `Argo CD Application ${argoNs}/nameless-multi no entry of spec.sources is named "chart" (names: none)`,
  );
  await delivered('fine', 'rev');
  expect((await argo.get(argoNs, 'few-idx')).spec.sources).toEqual([gitSource]);

  // The missing Application appears: delivered without any manual step.
  await argo.create(argoNs, argoApp('ghost-rev', { source: gitSource }, `${ns}/rev`));
  await untilTarget('ghost', 'rev', (t) => t.delivery?.state === 'Delivered', 'Delivered once it exists');
  expect((await argo.get(argoNs, 'ghost-rev')).spec.source?.targetRevision).toBe('1.0.0');
});

test('deleting a Depot Application leaves its Argo CD Application alone', async () => {
  await argo.create(argoNs, argoApp('gone-rev', { source: gitSource }, `${ns}/rev`));
  await apply(depotApp('gone', 'rev', '4.0.0'));
  await delivered('gone', 'rev');
  const before: ArgoApp = await argo.get(argoNs, 'gone-rev');
  await k.client.delete(Applications, ns, 'gone');
  // Another delivery round trip proves the operator has seen the deletion.
  await apply(depotApp('after-gone', 'rev', '1.0.0'));
  await argo.create(argoNs, argoApp('after-gone-rev', { source: gitSource }, `${ns}/rev`));
  await delivered('after-gone', 'rev');
  const after = await argo.get(argoNs, 'gone-rev');
  expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
  expect(after.spec.source?.targetRevision).toBe('4.0.0');
  expect(after.metadata?.ownerReferences).toBeUndefined();
  expect(after.metadata?.finalizers).toBeUndefined();
});

test('Argo CD Applications are watched only in the namespace the Targets name', () => {
  const synced = operator
    .output()
    .split('\n')
    .filter((l) => l.includes('"cache synced"') && l.includes('argoproj.io/v1alpha1/applications'))
    .map((l) => (JSON.parse(l) as { namespaces: string[] }).namespaces);
  expect(synced).toEqual([[argoNs]]);
});

test('a write the API server refuses is Failed, retried with growing delays, and delivered once it is allowed; other targets unaffected', async () => {
  // A ValidatingAdmissionPolicy (what a cluster admin might have) refuses writes of one Application.
  await argo.create(argoNs, argoApp('flaky-rev', { source: gitSource }, `${ns}/rev`));
  await argo.create(argoNs, argoApp('steady-rev', { source: gitSource }, `${ns}/rev`));
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  const policy = `depot-test-${argoNs}`;
  await admission.createValidatingAdmissionPolicy({
    body: {
      metadata: { name: policy },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            {
              apiGroups: ['argoproj.io'],
              apiVersions: ['*'],
              operations: ['UPDATE'],
              resources: ['applications'],
            },
          ],
        },
        validations: [
          {
            expression: `object.metadata.name != 'flaky-rev' || object.metadata.namespace != '${argoNs}'`,
            message: 'changes of flaky-rev are frozen',
            reason: 'Forbidden',
          },
        ],
      },
    },
  });
  await admission.createValidatingAdmissionPolicyBinding({
    body: { metadata: { name: policy }, spec: { policyName: policy, validationActions: ['Deny'] } },
  });
  // The API server takes the policy in after a moment: wait until a dry run is refused.
  await eventually('the policy to refuse writes of flaky-rev', async () =>
    argo.merge(argoNs, 'flaky-rev', { metadata: { labels: { probe: 'x' } } }, { dryRun: true }).then(
      () => false,
      (err: { code?: number }) => err.code === 403,
    ),
  );
  try {
    await apply(depotApp('flaky', 'rev', '1.0.0'), depotApp('steady', 'rev', '1.0.0'));
    await delivered('steady', 'rev');
    const failed = await untilTarget(
      'flaky',
      'rev',
      (t) => t.delivery?.state === 'Failed' && (t.delivery.attempts ?? 0) >= 3,
      'Failed after 3 attempts',
    ).catch(async (e) => {
      throw new Error(`${String(e)} ${JSON.stringify(targetOf(await k.app(ns, 'flaky'), 'rev'))}`);
    });
    const message = targetOf(failed, 'rev')!.delivery!.message!;
    expect(message).toContain(`Argo CD Application ${argoNs}/flaky-rev: write of targetRevision failed`);
    expect(message).toContain('changes of flaky-rev are frozen');
    expect(condition(failed, 'Delivered')).toMatchObject({ status: 'False', reason: 'DeliveryFailed' });
    expect((await argo.get(argoNs, 'flaky-rev')).spec.source?.targetRevision).toBe('main');
  } finally {
    await admission.deleteValidatingAdmissionPolicyBinding({ name: policy });
    await admission.deleteValidatingAdmissionPolicy({ name: policy });
  }
  // Allowed again: the next retry delivers it, with no manual step.
  await untilTarget('flaky', 'rev', (t) => t.delivery?.state === 'Delivered', 'Delivered once allowed');
  expect((await argo.get(argoNs, 'flaky-rev')).spec.source?.targetRevision).toBe('1.0.0');
}, 90_000);

test('a namespace no Target delivers into any more is no longer watched', async () => {
  const argoWatches = async () =>
    sum(await scrape(metricsUrl), 'depot_informer_watches', {
      resource: 'argoproj.io/v1alpha1/applications',
    });
  // The operator serves /metrics once it runs (this test may run first).
  const { before } = await eventually('the operator serves /metrics', async () =>
    argoWatches().then(
      (n) => ({ before: n }),
      () => undefined,
    ),
  );
  const [first, second] = [await freshNamespace(kc, 'argocd-a'), await freshNamespace(kc, 'argocd-b')];
  const roamTarget = (argoNamespace: string) =>
    target('roam', 'roam', {
      delivery: { argocd: { applicationNamespace: argoNamespace, applicationName: '${application}-roam' } },
    });
  for (const n of [first, second])
    await argo.create(n, argoApp('roam-roam', { source: gitSource }, `${ns}/roam`));
  await apply(environment('roam'), roamTarget(first), depotApp('roam', 'roam', '1.0.0'));
  await untilTarget(
    'roam',
    'roam',
    (t) => t.delivery?.message?.includes(first) === true,
    `Delivered into ${first}`,
  );
  expect(await argoWatches()).toBe(before + 1);

  // The Target moves to the second namespace: the first one's watch ends.
  await apply(roamTarget(second));
  await untilTarget(
    'roam',
    'roam',
    (t) => t.delivery?.message?.includes(second) === true,
    `Delivered into ${second}`,
  );
  await eventually(
    `one watch for ${second} and none for ${first}`,
    async () => ((await argoWatches()) === before + 1 ? true : undefined),
    10_000,
  );
}, 60_000);
