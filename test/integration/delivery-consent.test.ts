// The owner's consent on the real control plane (issue 22): team-a's Targets
// read nothing from team-b's objects that do not authorize them, write only
// the kind's version fields unless depot.sh/authorized-fields names the field,
// are refused before any request with a message naming the annotation and the
// exact entry, and see a later opt-in (or a withdrawal) at once by its watch.
import { EventsV1Api } from '@kubernetes/client-node';
import type { Application } from '../../src/api/application.js';
import type { KubeObject } from '../../src/kube/resource.js';
import { freshNamespace } from '../controlplane/env.js';
import { argoApp, argoClient } from '../kit/argocd.js';
import { cluster, targetStatus } from '../kit/cluster.js';
import {
  fluxObject,
  fluxPatchTarget,
  fluxReady,
  HelmReleases,
  Kustomizations,
  OCIRepositories,
  writeFluxStatus,
} from '../kit/flux.js';
import { application, environment, target } from '../kit/objects.js';
import { runOperator } from '../kit/operator.js';
import type { OperatorProcess } from '../kit/operator-process.js';

const k = cluster();
const { kc, client } = k;
const argo = argoClient(kc);
const SECRET = 'db-password-7f3c91e2a4';

let nsA: string;
let nsB: string;
let argoNs: string;
let operator: OperatorProcess;

const helmRelease = (name: string, extra: object, annotations: Record<string, string>) =>
  fluxObject(
    HelmReleases,
    name,
    {
      interval: '5m',
      chart: {
        spec: { chart: name, version: '0.9.0', sourceRef: { kind: 'HelmRepository', name: 'charts' } },
      },
      ...extra,
    },
    { namespace: nsB, annotations },
  );
const ociRepository = (name: string, annotations: Record<string, string>) =>
  fluxObject(
    OCIRepositories,
    name,
    { interval: '5m', url: 'oci://registry.example/web', ref: { tag: '0.9.0' } },
    { namespace: nsB, annotations },
  );
const helmSource = {
  repoURL: 'https://charts.example',
  chart: 'web',
  targetRevision: '0.9.0',
  helm: { parameters: [{ name: 'image.repository', value: 'ghcr.io/acme/web' }] },
};

const patch = (
  name: string,
  env: string,
  kind: 'HelmRelease' | 'OCIRepository' | 'Kustomization',
  object: string,
  field: string,
) =>
  fluxPatchTarget(name, env, {
    apiVersion:
      kind === 'HelmRelease'
        ? 'helm.toolkit.fluxcd.io/v2'
        : kind === 'Kustomization'
          ? 'kustomize.toolkit.fluxcd.io/v1'
          : 'source.toolkit.fluxcd.io/v1',
    kind,
    name: object,
    namespace: nsB,
    field,
  });
const argoTarget = (name: string, applicationName: string, set?: object) =>
  target(name, 'prod', {
    delivery: { argocd: { applicationNamespace: argoNs, applicationName, ...(set ? { set } : {}) } },
  });

const state = (a: Application, t: string) => targetStatus(a, t)?.delivery;
const until = (what: string, ok: (a: Application) => unknown) => k.appWhen(nsA, 'core', what, ok);

/** The message that refuses a field outside the kind's version fields. */
const fieldRefused = (object: string, t: string, defaults: string, field: string) =>
  `${object} authorizes Target ${nsA}/${t} for its version fields only (${defaults}), not ${field}: ` +
  `Depot reads and writes ${field} only when its owner adds "${field}" to the annotation depot.sh/authorized-fields ` +
  '(comma-separated exact names; * is not a wildcard)';

const before = new Map<string, KubeObject>();

beforeAll(async () => {
  nsA = await freshNamespace(kc, 'team-a');
  nsB = await freshNamespace(kc, 'team-b');
  argoNs = await freshNamespace(kc, 'argocd');
  const targetOnly = { 'depot.sh/authorized-targets': `${nsA}/*` };

  // No consent at all: its values must never reach team-a.
  const db = await client.create(
    HelmReleases,
    helmRelease('db', { values: { db: { password: SECRET } } }, {}),
  );
  const generation = db.metadata!.generation!;
  await writeFluxStatus(client, HelmReleases, nsB, 'db', {
    observedGeneration: generation,
    conditions: fluxReady(generation),
  });
  // Consent for the Target only.
  for (const obj of [
    helmRelease('api-ns', { targetNamespace: 'api' }, targetOnly),
    helmRelease('api-version', {}, targetOnly),
    ociRepository('web-url', targetOnly),
    ociRepository('web-tag', targetOnly),
  ])
    before.set(
      obj.metadata!.name!,
      await client.create(obj.kind === 'HelmRelease' ? HelmReleases : OCIRepositories, obj),
    );
  await client.create(
    Kustomizations,
    fluxObject(
      Kustomizations,
      'apps',
      {
        interval: '10m',
        prune: true,
        sourceRef: { kind: 'GitRepository', name: 'apps' },
        postBuild: { substitute: { region: 'eu' } },
      },
      {
        namespace: nsB,
        annotations: {
          ...targetOnly,
          'depot.sh/authorized-fields': ' spec.postBuild.substitute.core_version ,',
        },
      },
    ),
  );
  before.set('web-repo', await argo.create(argoNs, argoApp('web-repo', { source: helmSource }, `${nsA}/*`)));
  await argo.create(argoNs, argoApp('web-rev', { source: helmSource }, `${nsA}/*`));

  await k.apply(nsA, [
    environment('leak'),
    environment('prod'),
    patch('leak', 'leak', 'HelmRelease', 'db', 'spec.values.db.password'),
    patch('hr-ns', 'prod', 'HelmRelease', 'api-ns', 'spec.targetNamespace'),
    patch('hr-version', 'prod', 'HelmRelease', 'api-version', 'spec.chart.spec.version'),
    patch('oci-url', 'prod', 'OCIRepository', 'web-url', 'spec.url'),
    patch('oci-tag', 'prod', 'OCIRepository', 'web-tag', 'spec.ref.tag'),
    patch('subst', 'prod', 'Kustomization', 'apps', 'spec.postBuild.substitute.${application}_version'),
    argoTarget('argo-repo', 'web-repo', { helmParameter: 'image.repository' }),
    argoTarget('argo-rev', 'web-rev'),
    application('core', {
      environments: [{ name: 'leak' }, { name: 'prod' }],
      versions: { leak: '1.0.0', prod: '1.0.0' },
    }),
  ]);
  // A retry after the longest delay cannot explain an opt-in delivered: only the watch can.
  operator = await runOperator(nsA, {
    args: ['--delivery-retry-base-delay', '300ms', '--delivery-retry-max-delay', '10m'],
  });
}, 120_000);

afterAll(async () => {
  await operator?.stop();
  await k.close();
}, 90_000);

test("with consent for the Target only, fields outside the kind's version fields are refused and the objects unchanged; version fields are delivered", async () => {
  const a = await until('the six prod targets settled', (a) =>
    ['hr-ns', 'oci-url', 'argo-repo', 'hr-version', 'oci-tag', 'argo-rev'].every((t) =>
      ['Failed', 'Delivered'].includes(state(a, t)?.state ?? ''),
    ),
  );
  expect({
    'hr-ns': state(a, 'hr-ns'),
    'oci-url': state(a, 'oci-url'),
    'argo-repo': state(a, 'argo-repo'),
  }).toEqual({
    'hr-ns': expect.objectContaining({
      state: 'Failed',
      message: fieldRefused(
        `HelmRelease ${nsB}/api-ns`,
        'hr-ns',
        'spec.chart.spec.version',
        'spec.targetNamespace',
      ),
    }),
    'oci-url': expect.objectContaining({
      state: 'Failed',
      message: fieldRefused(
        `OCIRepository ${nsB}/web-url`,
        'oci-url',
        'spec.ref.tag, spec.ref.semver, spec.ref.digest',
        'spec.url',
      ),
    }),
    'argo-repo': expect.objectContaining({
      state: 'Failed',
      message: fieldRefused(
        `Argo CD Application ${argoNs}/web-repo`,
        'argo-repo',
        'targetRevision',
        'helm:image.repository',
      ),
    }),
  });
  expect(['hr-version', 'oci-tag', 'argo-rev'].map((t) => [t, state(a, t)?.state])).toEqual([
    ['hr-version', 'Delivered'],
    ['oci-tag', 'Delivered'],
    ['argo-rev', 'Delivered'],
  ]);
  // Refused before any request: not one write to the refused objects.
  for (const [name, r] of [
    ['api-ns', HelmReleases],
    ['web-url', OCIRepositories],
  ] as const)
    expect([name, (await client.get(r, nsB, name))?.metadata?.resourceVersion]).toEqual([
      name,
      before.get(name)!.metadata!.resourceVersion,
    ]);
  expect((await argo.get(argoNs, 'web-repo')).metadata?.resourceVersion).toBe(
    before.get('web-repo')!.metadata!.resourceVersion,
  );
  const version = (o: KubeObject | undefined, path: string[]) =>
    path.reduce<unknown>((n, s) => (n as Record<string, unknown> | undefined)?.[s], o);
  expect(
    version(await client.get(HelmReleases, nsB, 'api-version'), ['spec', 'chart', 'spec', 'version']),
  ).toBe('1.0.0');
  expect(version(await client.get(OCIRepositories, nsB, 'web-tag'), ['spec', 'ref', 'tag'])).toBe('1.0.0');
  expect((await argo.get(argoNs, 'web-rev')).spec.source?.targetRevision).toBe('1.0.0');
}, 90_000);

test('authorized-fields naming helm:image.repository delivers it, noticed by the watch', async () => {
  await argo.merge(argoNs, 'web-repo', {
    metadata: { annotations: { 'depot.sh/authorized-fields': 'helm:image.*, helm:image.repository' } },
  });
  await until('argo-repo delivered after the opt-in', (a) => state(a, 'argo-repo')?.state === 'Delivered');
  expect((await argo.get(argoNs, 'web-repo')).spec.source?.helm).toEqual({
    parameters: [{ name: 'image.repository', value: '1.0.0' }],
  });
}, 90_000);

test('a delivered field whose authorized-fields entry is withdrawn is Failed with the message, never written again', async () => {
  await until('subst delivered', (a) => state(a, 'subst')?.state === 'Delivered');
  const delivered = await client.get(Kustomizations, nsB, 'apps');
  expect((delivered?.spec as { postBuild: object }).postBuild).toEqual({
    substitute: { region: 'eu', core_version: '1.0.0' },
  });

  const withdrawn = await client.patch(
    Kustomizations,
    nsB,
    'apps',
    { metadata: { annotations: { 'depot.sh/authorized-fields': null } } },
    { type: 'merge', fieldManager: 'team-b' },
  );
  const a = await until('subst Failed after the withdrawal', (a) => state(a, 'subst')?.state === 'Failed');
  expect(state(a, 'subst')?.message).toBe(
    fieldRefused(
      `Kustomization ${nsB}/apps`,
      'subst',
      'none for this kind',
      'spec.postBuild.substitute.core_version',
    ),
  );
  expect((await client.get(Kustomizations, nsB, 'apps'))?.metadata?.resourceVersion).toBe(
    withdrawn.metadata?.resourceVersion,
  );
}, 90_000);

test("team-a naming team-b's HelmRelease spec.values.db.password without consent: the value is in no status, history, Event or log line", async () => {
  const a = await until('the leak target refused', (a) => state(a, 'leak')?.state === 'Failed');
  const events = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: nsA });
  const places = {
    status: JSON.stringify(a.status),
    history: JSON.stringify(a.status?.history ?? []),
    Events: JSON.stringify(events.items),
    'operator log and audit log': operator.output(),
  };
  expect(places.history).toContain('Requested'); // the history is there
  expect(places['operator log and audit log']).toContain('delivery not done'); // the log is there
  for (const [where, text] of Object.entries(places))
    expect({ where, leaks: text.includes(SECRET) }).toEqual({ where, leaks: false });
  expect(targetStatus(a, 'leak')?.deployed).toBeUndefined();
  expect(state(a, 'leak')?.message).toBe(
    `HelmRelease ${nsB}/db does not exist or does not authorize Target ${nsA}/leak: Depot reads and writes it only when ` +
      `its owner adds the annotation depot.sh/authorized-targets: "${nsA}/leak" (or "${nsA}/*")`,
  );
}, 90_000);
