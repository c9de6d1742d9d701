// Depot against the real Argo CD (v3.6.2, built by scripts/build-argocd.sh), syncing from a
// local Git and Helm chart server. Nothing here writes an Argo CD object's status: every
// version ends in the data of the ConfigMap Argo CD synced. Cases: Git source, Helm parameter,
// Kustomize image, multi-source, a missing tag (ComparisonError, never deployed; recovery),
// and an ApplicationSet resetting Depot's field (Contested; see docs/delivery-argocd.md).
import { jest } from '@jest/globals';
import {
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
} from '@kubernetes/client-node';
import type { Application } from '../../src/api/application.js';
import { configMapRelease, createRepository, publishChart } from '../../src/local/git-releases.js';
import { applyManifests } from '../../src/local/manifests.js';
import { startRealArgocd, type RealArgocd } from '../controlplane/argocd.js';
import { freshNamespace, testKubeConfig } from '../controlplane/env.js';
import { cluster } from '../kit/cluster.js';
import { depotObject } from '../kit/objects.js';
import { eventually } from '../kit/eventually.js';
import { depotCli, startOperator, type OperatorProcess } from '../kit/operator-process.js';
import { operatorKubeconfig } from '../kit/operator-rbac.js';

jest.setTimeout(20 * 60_000);

const kc = testKubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
const admin = cluster(kc);
const getApp = admin.app;
const argoGroup = { group: 'argoproj.io', version: 'v1alpha1' };
const SLOW = 180_000;

let real: RealArgocd;
let operator: OperatorProcess;
let ns: string;
let appsNs: string;
let argoNs: string;

type ArgoStatus = {
  sync?: { status?: string; revision?: string; revisions?: string[] };
  health?: { status?: string };
  conditions?: { type: string; message?: string }[];
};
type ArgoApplication = KubernetesObject & {
  spec: { source?: Record<string, unknown>; sources?: Record<string, unknown>[] };
  status?: ArgoStatus;
};

const argoApp = (name: string) =>
  custom.getNamespacedCustomObject({
    ...argoGroup,
    plural: 'applications',
    namespace: argoNs,
    name,
  }) as Promise<ArgoApplication>;

const targetOf = (a: Application, name: string) => a.status?.targets?.find((t) => t.name === name);

async function configMapData(name: string): Promise<Record<string, string> | undefined> {
  try {
    return (await core.readNamespacedConfigMap({ name, namespace: appsNs })).data;
  } catch {
    return undefined;
  }
}

/** An Argo CD Application in Argo CD's namespace, opted in for one Depot Target, synced automatically into appsNs. */
function argoApplication(
  name: string,
  target: string,
  spec: Record<string, unknown>,
  authorizedFields?: string,
): KubernetesObject {
  const annotations = {
    'depot.sh/authorized-targets': `${ns}/${target}`,
    ...(authorizedFields ? { 'depot.sh/authorized-fields': authorizedFields } : {}),
  };
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: argoNs, annotations },
    spec: {
      project: 'default',
      destination: { server: 'https://kubernetes.default.svc', namespace: appsNs },
      syncPolicy: { automated: {} },
      ...spec,
    },
  } as KubernetesObject;
}

/** A Depot Environment + Target (both named `target`) and an Application with `version` there. */
function depotSetup(app: string, target: string, argocd: object, version: string): KubernetesObject[] {
  return [
    depotObject('Environment', target, {}),
    depotObject('Target', target, {
      environment: target,
      delivery: { argocd: { applicationNamespace: argoNs, applicationName: app, ...argocd } },
    }),
    depotObject('Application', app, { environments: [{ name: target }], versions: { [target]: version } }),
  ];
}

const applyDepot = (objects: KubernetesObject[]) =>
  applyManifests(kc, objects, { fieldManager: 'test-setup', namespace: ns });
const applyArgo = (objects: KubernetesObject[]) =>
  applyManifests(kc, objects, { fieldManager: 'test-setup', namespace: argoNs });

function setVersion(app: string, env: string, version: string): void {
  const r = depotCli(process.env.DEPOT_TEST_KUBECONFIG!, ns, 'set-version', app, env, version);
  if (r.status !== 0) throw new Error(`depot set-version failed: ${r.stderr}`);
}

/** Waits until Depot reports `version` deployed on the target, and returns the Depot Application. */
function untilDeployed(app: string, target: string, version: string, timeoutMs = SLOW) {
  return eventually(
    `${app}/${target} deployed ${version}`,
    async () => {
      const a = await getApp(ns, app);
      return targetOf(a, target)?.deployed === version ? a : undefined;
    },
    timeoutMs,
    500,
  );
}

/** The ConfigMap's data once `check` holds (Argo CD synced it). */
function untilConfigMap(name: string, check: (d: Record<string, string>) => boolean) {
  return eventually(
    `ConfigMap ${appsNs}/${name} synced`,
    async () => {
      const d = await configMapData(name);
      return d && check(d) ? d : undefined;
    },
    SLOW,
    500,
  );
}

function explain(err: unknown): never {
  const logs = ['argocd-application-controller', 'argocd-repo-server', 'argocd-applicationset-controller']
    .map((c) => `--- ${c}\n${real?.argocd.tail(c, 10)}`)
    .join('\n');
  throw new Error(
    `${err instanceof Error ? err.message : String(err)}\n${logs}\n--- operator\n${operator?.output().slice(-3000)}`,
  );
}

beforeAll(async () => {
  ns = await freshNamespace(kc, 'argo-real');
  appsNs = await freshNamespace(kc, 'apps');
  real = await startRealArgocd(kc, { applicationSet: true });
  argoNs = real.namespace;
  operator = startOperator(await operatorKubeconfig(), ns, {
    args: ['--delivery-retry-base-delay', '500ms', '--delivery-retry-max-delay', '20s'],
  });
});

afterAll(async () => {
  await operator?.stop();
  await real?.stop();
  await admin.close();
});

test('Git source: set-version → targetRevision → Argo CD syncs → Synced/Healthy at that revision → deployed, Deployed by argocd; the ConfigMap holds the version', async () => {
  const repo = createRepository(real.git, 'web-git');
  repo.release(configMapRelease({ name: 'web-git', namespace: appsNs, version: '1.0.0' }), '1.0.0');
  const sha = repo.release(
    configMapRelease({ name: 'web-git', namespace: appsNs, version: '1.1.0' }),
    '1.1.0',
  );
  await applyArgo([
    argoApplication('web-git', 'git', { source: { repoURL: repo.url, path: '.', targetRevision: '1.0.0' } }),
  ]);
  await applyDepot(depotSetup('web-git', 'git', {}, '1.0.0'));
  try {
    await untilDeployed('web-git', 'git', '1.0.0');
    setVersion('web-git', 'git', '1.1.0');
    const synced = await eventually(
      'Argo CD Synced and Healthy at the tag',
      async () => {
        const a = await argoApp('web-git');
        return a.spec.source?.targetRevision === '1.1.0' &&
          a.status?.sync?.status === 'Synced' &&
          a.status.health?.status === 'Healthy' &&
          a.status.sync.revision === sha
          ? a
          : undefined;
      },
      SLOW,
      500,
    );
    expect(synced.status?.sync?.revision).toBe(sha);
    const a = await untilDeployed('web-git', 'git', '1.1.0');
    expect(targetOf(a, 'git')?.delivery?.state).toBe('Delivered');
    expect(a.status?.history?.find((h) => h.type === 'Deployed' && h.to === '1.1.0')).toMatchObject({
      target: 'git',
      actor: 'argocd',
    });
    expect((await untilConfigMap('web-git', (d) => d.version === '1.1.0')).version).toBe('1.1.0');
  } catch (err) {
    explain(err);
  }
});

test('Helm parameter on a chart from the local chart repository: the synced ConfigMap holds the version', async () => {
  publishChart(real.git, real.helm, { name: 'web-chart', version: '1.0.0' });
  await applyArgo([
    argoApplication(
      'web-helm',
      'helm',
      {
        source: {
          repoURL: real.git.chartsUrl,
          chart: 'web-chart',
          targetRevision: '1.0.0',
          helm: { parameters: [{ name: 'image.tag', value: '1.0.0' }] },
        },
      },
      'helm:image.tag',
    ),
  ]);
  await applyDepot(depotSetup('web-helm', 'helm', { set: { helmParameter: 'image.tag' } }, '1.0.0'));
  try {
    await untilDeployed('web-helm', 'helm', '1.0.0');
    setVersion('web-helm', 'helm', '1.1.0');
    await untilDeployed('web-helm', 'helm', '1.1.0');
    const data = await untilConfigMap('web-helm', (d) => d.imageTag === '1.1.0');
    expect(data).toMatchObject({ imageTag: '1.1.0', chartVersion: '1.0.0' });
  } catch (err) {
    explain(err);
  }
});

test('Kustomize image: the synced ConfigMap holds the image with the version as its tag', async () => {
  const repo = createRepository(real.git, 'web-kust');
  repo.release(
    configMapRelease({
      name: 'web-kust',
      namespace: appsNs,
      version: 'base',
      image: 'ghcr.io/acme/web:0.0.0',
    }),
    'base',
  );
  await applyArgo([
    argoApplication(
      'web-kust',
      'kust',
      {
        source: {
          repoURL: repo.url,
          path: '.',
          targetRevision: 'base',
          kustomize: { images: ['ghcr.io/acme/web:1.0.0'] },
        },
      },
      'kustomize:ghcr.io/acme/web',
    ),
  ]);
  await applyDepot(depotSetup('web-kust', 'kust', { set: { kustomizeImage: 'ghcr.io/acme/web' } }, '1.0.0'));
  try {
    await untilDeployed('web-kust', 'kust', '1.0.0');
    setVersion('web-kust', 'kust', '1.1.0');
    await untilDeployed('web-kust', 'kust', '1.1.0');
    expect((await untilConfigMap('web-kust', (d) => d.image === 'ghcr.io/acme/web:1.1.0')).image).toBe(
      'ghcr.io/acme/web:1.1.0',
    );
  } catch (err) {
    explain(err);
  }
});

test('multi-source Application: the chart source named by the Target gets the version; the Git source is left alone', async () => {
  publishChart(real.git, real.helm, { name: 'web-chart', version: '1.0.0' });
  const repo = createRepository(real.git, 'web-multi');
  repo.commit(configMapRelease({ name: 'web-multi-config', namespace: appsNs, version: 'config' }), 'config');
  const gitSource = { name: 'config', repoURL: repo.url, path: '.', targetRevision: 'main' };
  await applyArgo([
    argoApplication(
      'web-multi',
      'multi',
      {
        sources: [
          gitSource,
          {
            name: 'chart',
            repoURL: real.git.chartsUrl,
            chart: 'web-chart',
            targetRevision: '1.0.0',
            helm: { releaseName: 'web-multi', parameters: [{ name: 'image.tag', value: '1.0.0' }] },
          },
        ],
      },
      'helm:image.tag',
    ),
  ]);
  await applyDepot(
    depotSetup('web-multi', 'multi', { source: 'chart', set: { helmParameter: 'image.tag' } }, '1.0.0'),
  );
  try {
    await untilDeployed('web-multi', 'multi', '1.0.0');
    setVersion('web-multi', 'multi', '1.1.0');
    await untilDeployed('web-multi', 'multi', '1.1.0');
    expect((await untilConfigMap('web-multi', (d) => d.imageTag === '1.1.0')).imageTag).toBe('1.1.0');
    expect((await configMapData('web-multi-config'))?.version).toBe('config');
    expect((await argoApp('web-multi')).spec.sources?.[0]).toEqual(gitSource);
  } catch (err) {
    explain(err);
  }
});

test("a tag that does not exist: Argo CD's ComparisonError on the target in its words, never deployed; pushing the tag recovers", async () => {
  const repo = createRepository(real.git, 'web-fail');
  repo.release(configMapRelease({ name: 'web-fail', namespace: appsNs, version: '1.0.0' }), '1.0.0');
  await applyArgo([
    argoApplication('web-fail', 'fail', {
      source: { repoURL: repo.url, path: '.', targetRevision: '1.0.0' },
    }),
  ]);
  await applyDepot(depotSetup('web-fail', 'fail', {}, '1.0.0'));
  try {
    await untilDeployed('web-fail', 'fail', '1.0.0');
    setVersion('web-fail', 'fail', '1.2.0');
    const upstream = await eventually(
      "Argo CD's ComparisonError",
      async () =>
        (await argoApp('web-fail')).status?.conditions?.find((c) => c.type === 'ComparisonError')?.message,
      SLOW,
      500,
    );
    expect(upstream).toContain('1.2.0');
    const failed = await eventually(
      'the target Failed with the upstream message',
      async () => {
        const a = await getApp(ns, 'web-fail');
        const t = targetOf(a, 'fail');
        return t?.delivery?.state === 'Failed' && t.delivery.message?.includes('ComparisonError')
          ? a
          : undefined;
      },
      SLOW,
      500,
    );
    const t = targetOf(failed, 'fail')!;
    expect(t.delivery?.message).toContain(`Argo CD reports ComparisonError: ${upstream}`);
    expect(t.deployed).toBe('1.0.0');
    expect(failed.status?.conditions?.find((c) => c.type === 'Delivered')).toMatchObject({
      status: 'False',
      reason: 'DeliveryFailed',
    });
    expect(failed.status?.history?.some((h) => h.type === 'Deployed' && h.to === '1.2.0')).toBe(false);
    expect((await configMapData('web-fail'))?.version).toBe('1.0.0');

    // The tag is pushed. Argo CD's repo-server keeps answering from its error
    // cache (after 3 failed generations it pauses for 60 minutes, upstream
    // defaults); a hard refresh, as `argocd app get --hard-refresh` asks,
    // ends that. Depot needs no step.
    repo.release(configMapRelease({ name: 'web-fail', namespace: appsNs, version: '1.2.0' }), '1.2.0');
    await custom.patchNamespacedCustomObject(
      {
        ...argoGroup,
        plural: 'applications',
        namespace: argoNs,
        name: 'web-fail',
        body: { metadata: { annotations: { 'argocd.argoproj.io/refresh': 'hard' } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const recovered = await untilDeployed('web-fail', 'fail', '1.2.0');
    expect(targetOf(recovered, 'fail')?.delivery?.state).toBe('Delivered');
    expect((await untilConfigMap('web-fail', (d) => d.version === '1.2.0')).version).toBe('1.2.0');
  } catch (err) {
    explain(err);
  }
});

test('an ApplicationSet that owns the Application resets Depot’s field: growing delays, then Contested naming it and no more writes; ignoreApplicationDifferences ends it', async () => {
  const repo = createRepository(real.git, 'web-appset');
  repo.release(configMapRelease({ name: 'web-appset', namespace: appsNs, version: '1.0.0' }), '1.0.0');
  repo.release(configMapRelease({ name: 'web-appset', namespace: appsNs, version: '1.1.0' }), '1.1.0');
  const template = argoApplication('{{name}}', 'appset', {
    source: { repoURL: repo.url, path: '.', targetRevision: '1.0.0' },
  }) as KubernetesObject & { spec: unknown };
  const appset = (extra: object = {}): KubernetesObject =>
    ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: { name: 'web-appset', namespace: argoNs },
      spec: {
        generators: [{ list: { elements: [{ name: 'web-appset' }] } }],
        template: {
          metadata: { name: '{{name}}', annotations: template.metadata!.annotations },
          spec: template.spec,
        },
        ...extra,
      },
    }) as KubernetesObject;
  await applyArgo([appset()]);
  await applyDepot(depotSetup('web-appset', 'appset', {}, '1.0.0'));
  try {
    await untilDeployed('web-appset', 'appset', '1.0.0');
    setVersion('web-appset', 'appset', '1.1.0');
    const contested = await eventually(
      'the target Contested',
      async () => {
        const a = await getApp(ns, 'web-appset');
        return targetOf(a, 'appset')?.delivery?.state === 'Contested' ? a : undefined;
      },
      SLOW,
      500,
    );
    const message = targetOf(contested, 'appset')!.delivery!.message!;
    expect(message).toContain(
      'spec.source.targetRevision was reset to 1.0.0 4 times in a row by argocd-applicationset-controller',
    );
    expect(message).toContain('ignoreApplicationDifferences');
    expect(contested.status?.conditions?.find((c) => c.type === 'Delivered')).toMatchObject({
      status: 'False',
      reason: 'DeliveryContested',
    });
    const reapplied = (a: Application) =>
      a.status?.history?.filter((h) => h.type === 'Reapplied').length ?? 0;
    expect(reapplied(contested)).toBe(3);
    // Depot stopped: the ApplicationSet's value stays, and no more Reapplied entries come.
    // Not metadata.generation: Argo CD's status writes bump it (no status subresource).
    const spec = JSON.stringify((await argoApp('web-appset')).spec);
    await new Promise((r) => setTimeout(r, 8_000));
    const quiet = await argoApp('web-appset');
    expect(quiet.spec.source?.targetRevision).toBe('1.0.0');
    expect(JSON.stringify(quiet.spec)).toBe(spec);
    expect(reapplied(await getApp(ns, 'web-appset'))).toBe(3);

    // The ApplicationSet leaves the field alone: Depot's next try (at the latest after its longest delay) sticks.
    await applyArgo([
      appset({ ignoreApplicationDifferences: [{ jsonPointers: ['/spec/source/targetRevision'] }] }),
    ]);
    const a = await untilDeployed('web-appset', 'appset', '1.1.0');
    expect(targetOf(a, 'appset')?.delivery?.state).toBe('Delivered');
    expect((await untilConfigMap('web-appset', (d) => d.version === '1.1.0')).version).toBe('1.1.0');
    expect((await argoApp('web-appset')).spec.source?.targetRevision).toBe('1.1.0');
  } catch (err) {
    explain(err);
  }
});
