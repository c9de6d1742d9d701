// Depot delivering through the real Flux controllers (built from their Go modules) from the
// local Git and Helm chart server. No Flux status is written here: every status Depot reads
// is the controllers' own, and every case ends with the version in the ConfigMap Flux applied.
// Cases: GitRepository tag → Kustomization (deployed once applied), HelmRelease version,
// a Receiver call with ref.semver, a missing tag (Ready=False, never deployed; recovery).
import { mkdtempSync, rmSync } from 'node:fs';
import type { KubernetesObject } from '@kubernetes/client-node';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Application, ApplicationTargetStatus } from '../../src/api/application.js';
import { AUTHORIZED_TARGETS_ANNOTATION } from '../../src/api/annotations.js';
import {
  configMapRelease,
  createRepository,
  publishChart,
  type GitRepository,
} from '../../src/local/git-releases.js';
import { startGitServer, type GitServer } from '../../src/local/git-server.js';
import { applyManifests } from '../../src/local/manifests.js';
import { ConfigMaps, Secrets, type KubeObject, type ResourceType } from '../../src/kube/resource.js';
import { installFluxCrds, startFlux, type Flux } from '../controlplane/flux-controllers.js';
import { freshNamespace, testKubeConfig } from '../controlplane/env.js';
import { cluster } from '../kit/cluster.js';
import { depotObject } from '../kit/objects.js';
import { eventually } from '../kit/eventually.js';
import { helmBinary } from '../kit/helm.js';
import { depotCli, startOperator, type OperatorProcess } from '../kit/operator-process.js';
import { operatorKubeconfig } from '../kit/operator-rbac.js';

const kc = testKubeConfig();
const kubeconfig = process.env.DEPOT_TEST_KUBECONFIG!;
const admin = cluster(kc);
const { client, close } = admin;
const readApp = admin.app;
const TOKEN = 'flux-real-receiver-token-5e1f';

const flux = (group: string, version: string, plural: string, kind: string): ResourceType => ({
  group: `${group}.toolkit.fluxcd.io`,
  version,
  plural,
  kind,
  namespaced: true,
});
const GitRepositories = flux('source', 'v1', 'gitrepositories', 'GitRepository');
const Kustomizations = flux('kustomize', 'v1', 'kustomizations', 'Kustomization');
const HelmReleases = flux('helm', 'v2', 'helmreleases', 'HelmRelease');
const Receivers = flux('notification', 'v1', 'receivers', 'Receiver');

let ns: string;
let dir: string;
let server: GitServer;
let fluxControllers: Flux;
let operator: OperatorProcess;
const repos = new Map<string, GitRepository>();

interface Ready {
  status?: string;
  reason?: string;
  message?: string;
}
const readyOf = (o: KubeObject | undefined): Ready | undefined =>
  ((o?.status as { conditions?: (Ready & { type: string })[] } | undefined)?.conditions ?? []).find(
    (c) => c.type === 'Ready',
  );

const targetOf = (app: Application, name: string): ApplicationTargetStatus | undefined =>
  app.status?.targets?.find((t) => t.name === name);

/** Waits with the controllers' logs in the message when it times out. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>): Promise<T> {
  try {
    return await eventually(what, check, 180_000, 500);
  } catch (err) {
    throw new Error(
      `${(err as Error).message}\n${fluxControllers.logs(15)}\n--- depot ---\n${operator.output().slice(-3000)}`,
    );
  }
}

const configMapData = async (name: string) =>
  ((await client.get(ConfigMaps, ns, name)) as { data?: Record<string, string> } | undefined)?.data;

/** A repository of tagged releases of a ConfigMap `name` whose data.version is the tag. */
function releases(name: string, tags: string[]): GitRepository {
  const repo = createRepository(server, name);
  for (const tag of tags) repo.release(configMapRelease({ name, namespace: ns, version: tag }), tag);
  repos.set(name, repo);
  return repo;
}

const optIn = () => ({ [AUTHORIZED_TARGETS_ANNOTATION]: `${ns}/*` });

const gitRepository = (name: string, ref: object, interval = '1h'): KubeObject => ({
  apiVersion: 'source.toolkit.fluxcd.io/v1',
  kind: 'GitRepository',
  metadata: { name, namespace: ns, annotations: optIn() },
  spec: { interval, url: repos.get(name)!.url, ref, timeout: '20s' },
});

const kustomization = (name: string): KubeObject => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  // Depot reads its status (appliedBy) only with its owner's consent too.
  metadata: { name: `${name}-apply`, namespace: ns, annotations: optIn() },
  spec: {
    interval: '1h',
    path: './',
    prune: true,
    wait: false,
    sourceRef: { kind: 'GitRepository', name },
  },
});

/** One Environment, Target and Application per case, so each case sets its own versions. */
function depotCase(name: string, delivery: object, version: string) {
  return [
    depotObject('Environment', name, {}),
    depotObject('Target', name, { environment: name, delivery: { flux: delivery } }),
    depotObject('Application', name, { environments: [{ name }], versions: { [name]: version } }),
  ];
}

const gitPatch = (name: string) => ({
  patch: {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    name: '${application}',
    field: 'spec.ref.tag',
    appliedBy: { name: `${name}-apply` },
  },
});

async function target(name: string): Promise<ApplicationTargetStatus | undefined> {
  return targetOf(await readApp(ns, name), name);
}

const setVersion = (app: string, version: string) => {
  const r = depotCli(kubeconfig, ns, 'set-version', app, app, version);
  if (r.status !== 0) throw new Error(`depot set-version ${app} ${app} ${version}: ${r.stderr}`);
};

beforeAll(async () => {
  ns = await freshNamespace(kc, 'fluxreal');
  dir = mkdtempSync(join(tmpdir(), 'depot-flux-real-'));
  server = await startGitServer({ dir });
  releases('tags', ['1.0.0', '1.1.0']);
  releases('semver', ['1.0.0']);
  releases('late', ['1.0.0']);
  releases('broken', ['1.0.0']);
  for (const version of ['1.0.0', '1.1.0', '1.2.0'])
    publishChart(server, helmBinary(), { name: 'chart', version });

  await installFluxCrds(kc);
  fluxControllers = await startFlux(kubeconfig, ns);

  await client.create(Secrets, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'receiver-token', namespace: ns },
    data: { token: Buffer.from(TOKEN).toString('base64') },
  });
  await applyManifests(
    kc,
    [
      gitRepository('tags', { tag: '1.0.0' }),
      kustomization('tags'),
      gitRepository('semver', { semver: '>=1.0.0' }),
      kustomization('semver'),
      gitRepository('late', { tag: '1.0.0' }, '10s'),
      kustomization('late'),
      gitRepository('broken', { tag: '1.0.0' }),
      kustomization('broken'),
      {
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'HelmRepository',
        metadata: { name: 'charts', namespace: ns },
        spec: { interval: '1h', url: server.chartsUrl },
      },
      {
        apiVersion: 'helm.toolkit.fluxcd.io/v2',
        kind: 'HelmRelease',
        metadata: { name: 'helm', namespace: ns, annotations: optIn() },
        spec: {
          interval: '1h',
          releaseName: 'helm',
          chart: {
            spec: {
              chart: 'chart',
              version: '1.0.0',
              interval: '1h',
              sourceRef: { kind: 'HelmRepository', name: 'charts' },
            },
          },
        },
      },
      {
        apiVersion: 'notification.toolkit.fluxcd.io/v1',
        kind: 'Receiver',
        metadata: { name: 'semver', namespace: ns },
        spec: {
          type: 'generic-hmac',
          secretRef: { name: 'receiver-token' },
          resources: [{ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', name: 'semver' }],
        },
      },
    ] as KubeObject[] as unknown as KubernetesObject[],
    { fieldManager: 'test-setup', namespace: ns },
  );
  const webhookPath = await waitFor('the Receiver to be Ready with a webhook path', async () => {
    const r = (await client.get(Receivers, ns, 'semver')) as KubeObject & {
      status?: { webhookPath?: string };
    };
    return readyOf(r)?.status === 'True' && r.status?.webhookPath;
  });
  // Flux on its own: every source fetched and applied before Depot starts.
  for (const name of ['tags', 'semver', 'late', 'broken'])
    await waitFor(
      `ConfigMap ${name} applied by Flux at 1.0.0`,
      async () => (await configMapData(name))?.version === '1.0.0',
    );

  await applyManifests(
    kc,
    [
      ...depotCase('tags', gitPatch('tags'), '1.0.0'),
      ...depotCase('late', gitPatch('late'), '1.0.0'),
      ...depotCase('broken', gitPatch('broken'), '1.0.0'),
      // The same GitRepository without appliedBy: deployed is what Flux fetched.
      depotObject('Target', 'broken-fetched', {
        environment: 'broken',
        delivery: { flux: { patch: { ...gitPatch('broken').patch, appliedBy: undefined } } },
      }),
      ...depotCase(
        'helm',
        {
          patch: {
            apiVersion: 'helm.toolkit.fluxcd.io/v2',
            kind: 'HelmRelease',
            name: '${application}',
            field: 'spec.chart.spec.version',
          },
        },
        '1.0.0',
      ),
      ...depotCase(
        'semver',
        {
          receiver: {
            url: `${fluxControllers.receiverBase}${webhookPath}`,
            type: 'generic-hmac',
            secretRef: { name: 'receiver-token', key: 'token' },
          },
        },
        '1.0.0',
      ),
    ],
    { fieldManager: 'test-setup', namespace: ns },
  );
  operator = startOperator(await operatorKubeconfig(), ns, {
    args: [
      '--receiver-url-allow',
      `${fluxControllers.receiverBase}/hook/`,
      '--delivery-retry-base-delay',
      '300ms',
      '--delivery-retry-max-delay',
      '3s',
    ],
  });
}, 600_000);

afterAll(async () => {
  await operator?.stop();
  await fluxControllers?.stop();
  await server?.stop();
  await close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The target's status once `version` is desired and its delivery Failed (`why`: what the test expects). */
const failedAt = (name: string, version: string, why: string) =>
  waitFor(`target ${name} Failed with ${why}`, async () => {
    const s = await target(name);
    return s?.desired === version && s.delivery?.state === 'Failed' && s;
  });

/** The target's status once it reports `version` deployed. */
const deployedAt = (name: string, version: string) =>
  waitFor(`target ${name} deployed at ${version}`, async () => {
    const s = await target(name);
    return s?.deployed === version && s;
  });

test('GitRepository spec.ref.tag: source-controller fetches the tag, the Kustomization applies it, then Depot records it deployed', async () => {
  await waitFor('target tags deployed at 1.0.0', async () => (await target('tags'))?.deployed === '1.0.0');
  setVersion('tags', '1.1.0');
  const git = await waitFor('GitRepository tags at tag 1.1.0', async () => {
    const g = await client.get(GitRepositories, ns, 'tags');
    return (g?.spec as { ref?: { tag?: string } })?.ref?.tag === '1.1.0' && g;
  });
  expect(
    git.metadata?.managedFields?.some((f) => (f as { manager?: string }).manager === 'depot-operator.flux'),
  ).toBe(true);
  const t = await deployedAt('tags', '1.1.0');
  expect(t.delivery?.state).toBe('Delivered');
  // Deployed was recorded after the Kustomization applied it: the ConfigMap holds it.
  expect((await configMapData('tags'))?.version).toBe('1.1.0');
  const ks = await client.get(Kustomizations, ns, 'tags-apply');
  expect((ks?.status as { lastAppliedRevision?: string }).lastAppliedRevision).toMatch(
    /^1\.1\.0@sha1:[0-9a-f]{40}$/,
  );
  const app = await readApp(ns, 'tags');
  expect(app.status?.history).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ type: 'Deployed', target: 'tags', to: '1.1.0', actor: 'flux' }),
    ]),
  );
}, 300_000);

test('HelmRelease spec.chart.spec.version: helm-controller upgrades from the chart repository; deployed comes from its history', async () => {
  await waitFor('target helm deployed at 1.0.0', async () => (await target('helm'))?.deployed === '1.0.0');
  expect((await configMapData('helm'))?.chartVersion).toBe('1.0.0');
  setVersion('helm', '1.2.0');
  const t = await deployedAt('helm', '1.2.0');
  expect(t.delivery?.state).toBe('Delivered');
  expect((await configMapData('helm'))?.chartVersion).toBe('1.2.0');
  const hr = await client.get(HelmReleases, ns, 'helm');
  const history = (hr?.status as { history?: { chartVersion?: string; status?: string }[] }).history ?? [];
  expect(history[0]).toMatchObject({ chartVersion: '1.2.0', status: 'deployed' });
}, 300_000);

test('a Receiver call makes the GitRepository following ref.semver fetch the newer tag, which the Kustomization applies', async () => {
  await waitFor(
    'target semver delivered at 1.0.0',
    async () => (await target('semver'))?.delivery?.state === 'Delivered',
  );
  // A newer tag Flux does not look for by itself (interval 1h): only the Receiver call brings it.
  repos
    .get('semver')!
    .release(configMapRelease({ name: 'semver', namespace: ns, version: '1.1.0' }), '1.1.0');
  setVersion('semver', '1.1.0');
  const t = await waitFor('target semver delivered at 1.1.0', async () => {
    const s = await target('semver');
    return s?.desired === '1.1.0' && s.delivery?.state === 'Delivered' && s;
  });
  expect(t.delivery?.message).toContain('accepted 1.1.0 (HTTP 200)');
  await waitFor(
    'ConfigMap semver applied at 1.1.0',
    async () => (await configMapData('semver'))?.version === '1.1.0',
  );
  // A Receiver carries no version back: nothing is recorded deployed from it.
  expect((await target('semver'))?.deployed).toBeUndefined();
}, 300_000);

test("a tag that does not exist: Flux's Ready=False and message on the target, never deployed; recovered once the tag is pushed", async () => {
  await waitFor('target late deployed at 1.0.0', async () => (await target('late'))?.deployed === '1.0.0');
  setVersion('late', '1.1.0');
  const failed = await failedAt('late', '1.1.0', 'the message of Flux');
  const git = await client.get(GitRepositories, ns, 'late');
  const ready = readyOf(git)!;
  expect(ready.status).toBe('False');
  expect(failed.delivery?.message).toContain(
    `Flux reports GitRepository ${ns}/late Ready=False (${ready.reason}): ${ready.message}`,
  );
  expect(failed.delivery?.message).toContain('1.1.0');
  expect(failed.deployed).toBe('1.0.0');
  expect((await configMapData('late'))?.version).toBe('1.0.0');
  const history = (await readApp(ns, 'late')).status?.history ?? [];
  expect(history.filter((h) => h.type === 'Deployed' && h.to === '1.1.0')).toEqual([]);

  repos.get('late')!.release(configMapRelease({ name: 'late', namespace: ns, version: '1.1.0' }), '1.1.0');
  const t = await deployedAt('late', '1.1.0');
  expect(t.delivery?.state).toBe('Delivered');
  expect((await configMapData('late'))?.version).toBe('1.1.0');
}, 300_000);

test('manifests Flux cannot apply: the GitRepository is Ready at the new tag, but with appliedBy nothing is recorded deployed and the Kustomization failure is on the target', async () => {
  await waitFor(
    'target broken deployed at 1.0.0',
    async () => (await target('broken'))?.deployed === '1.0.0',
  );
  // 1.1.0's kustomization.yaml names a file that is not there: kustomize build fails.
  repos.get('broken')!.release({ 'kustomization.yaml': 'resources:\n  - missing.yaml\n' }, '1.1.0');
  setVersion('broken', '1.1.0');
  const failed = await failedAt('broken', '1.1.0', 'the Kustomization failure');
  const ks = await client.get(Kustomizations, ns, 'broken-apply');
  const ready = readyOf(ks)!;
  expect(failed.delivery?.message).toContain(
    `Flux reports Kustomization ${ns}/broken-apply Ready=False (${ready.reason}): ${ready.message}`,
  );
  // source-controller fetched 1.1.0 and is Ready: the source alone would say deployed.
  const git = await client.get(GitRepositories, ns, 'broken');
  expect(readyOf(git)?.status).toBe('True');
  expect((git?.status as { artifact?: { revision?: string } }).artifact?.revision).toMatch(/^1\.1\.0@sha1:/);
  const fetched = await waitFor('target broken-fetched reports the fetched 1.1.0', async () => {
    const s = targetOf(await readApp(ns, 'broken'), 'broken-fetched');
    return s?.deployed === '1.1.0' && s;
  });
  expect(fetched.deployed).toBe('1.1.0');
  // What runs is still 1.0.0, and that is what the target with appliedBy says.
  expect((await configMapData('broken'))?.version).toBe('1.0.0');
  expect((await target('broken'))?.deployed).toBe('1.0.0');
  const history = (await readApp(ns, 'broken')).status?.history ?? [];
  expect(history.filter((h) => h.type === 'Deployed' && h.target === 'broken' && h.to === '1.1.0')).toEqual(
    [],
  );
}, 300_000);
