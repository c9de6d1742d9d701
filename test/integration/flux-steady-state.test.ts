// "Idempotent and quiet" for Flux: once every Flux target is delivered (a
// patched GitRepository and HelmRelease, a Receiver) and the deployed
// versions are read back, repeated resyncs reconcile everything again and
// send no write at all — no patch of a Flux object, no Receiver call, no
// status patch, no Event. Requests are counted from the operator's metrics.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { controllers } from '../../src/controllers/index.js';
import { deliverySettingsDefaults } from '../../src/controllers/delivery/registry.js';
import { AUTHORIZED_TARGETS_ANNOTATION } from '../../src/api/annotations.js';
import type { Application } from '../../src/api/application.js';
import { Applications } from '../../src/api/resources.js';
import type { KubeObject, ResourceType } from '../../src/kube/resource.js';
import { applyManifests } from '../../src/local/manifests.js';
import { createAuditLog } from '../../src/runtime/audit-log.js';
import { createLogger } from '../../src/runtime/log.js';
import { Manager } from '../../src/runtime/manager.js';
import { freshNamespace, testKubeConfig } from '../controlplane/env.js';
import { scrape, sum, writeLines, type Sample } from '../kit/metrics-text.js';
import { testClient, type TestClient } from '../kit/test-client.js';
import { depotObject } from '../kit/depot-objects.js';
import { eventually } from '../kit/eventually.js';

const kc = testKubeConfig();
const GitRepositories: ResourceType = {
  group: 'source.toolkit.fluxcd.io',
  version: 'v1',
  plural: 'gitrepositories',
  kind: 'GitRepository',
  namespaced: true,
};
const HelmReleases: ResourceType = {
  group: 'helm.toolkit.fluxcd.io',
  version: 'v2',
  plural: 'helmreleases',
  kind: 'HelmRelease',
  namespaced: true,
};
let ns: string;
let manager: Manager;
let url: string;
let tc: TestClient;
let receiver: Server;
const calls: string[] = [];

const fluxVersions = async () =>
  [
    (await tc.client.get(GitRepositories, ns, 'web'))!.metadata!.resourceVersion,
    (await tc.client.get(HelmReleases, ns, 'web'))!.metadata!.resourceVersion,
  ].join(',');

beforeAll(async () => {
  ns = await freshNamespace(kc, 'flux-steady');
  tc = testClient(kc);
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      calls.push(req.url ?? '');
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const receiverBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  const optIn = { [AUTHORIZED_TARGETS_ANNOTATION]: `${ns}/*` };
  await tc.client.create(GitRepositories, {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name: 'web', namespace: ns, annotations: optIn },
    spec: { interval: '1m', url: 'https://git.example/web.git', ref: { tag: '0.1.0' } },
  });
  await tc.client.create(HelmReleases, {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'web', namespace: ns, annotations: optIn },
    spec: {
      interval: '5m',
      chart: {
        spec: { chart: 'web', version: '0.1.0', sourceRef: { kind: 'HelmRepository', name: 'charts' } },
      },
    },
  });
  const patch = (kind: string, apiVersion: string, field: string) => ({
    flux: { patch: { apiVersion, kind, name: '${application}', field } },
  });
  await applyManifests(
    kc,
    [
      depotObject('Environment', 'prod', {}),
      depotObject('Target', 'git', {
        environment: 'prod',
        delivery: patch('GitRepository', 'source.toolkit.fluxcd.io/v1', 'spec.ref.tag'),
      }),
      depotObject('Target', 'helm', {
        environment: 'prod',
        delivery: patch('HelmRelease', 'helm.toolkit.fluxcd.io/v2', 'spec.chart.spec.version'),
      }),
      depotObject('Target', 'hook', {
        environment: 'prod',
        delivery: { flux: { receiver: { url: `${receiverBase}/hook/web`, type: 'generic' } } },
      }),
      depotObject('Application', 'web', { environments: [{ name: 'prod' }], versions: { prod: '1.0.0' } }),
    ],
    { fieldManager: 'test-setup', namespace: ns },
  );

  const log = createLogger({ level: 'warn', destination: { write: () => {} } });
  manager = new Manager({
    kubeConfig: kc,
    namespaces: [ns],
    resyncPeriodMs: 1_000,
    healthAddress: '127.0.0.1:0',
    log,
    identity: 'flux-steady',
  });
  const audit = createAuditLog(join(mkdtempSync(join(tmpdir(), 'depot-audit-')), 'audit.log'));
  manager.add(
    ...controllers(manager.deps, {
      audit,
      deliverySettings: { ...deliverySettingsDefaults, receiverUrlAllow: [`${receiverBase}/hook/`] },
    }),
  );
  const [address] = await manager.start();
  url = `http://127.0.0.1:${address!.port}`;
});

afterAll(async () => {
  await manager?.stop('test finished');
  await tc?.close();
  receiver?.close();
});

test('converged Flux targets: resyncs write nothing, patch no Flux object and call no Receiver', async () => {
  await eventually('every target delivered', async () => {
    const app = (await tc.client.get(Applications, ns, 'web')) as Application | undefined;
    return (
      app?.status?.targets?.length === 3 && app.status.targets.every((t) => t.delivery?.state === 'Delivered')
    );
  });
  // The GitRepository reports what it fetched: the deployed version comes back.
  const repo = (await tc.client.get(GitRepositories, ns, 'web'))! as KubeObject;
  await tc.client.replace(
    GitRepositories,
    {
      ...repo,
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'Succeeded',
            message: 'ok',
            lastTransitionTime: new Date().toISOString(),
          },
        ],
        artifact: {
          digest: `sha256:${'a'.repeat(64)}`,
          lastUpdateTime: new Date().toISOString(),
          path: 'web.tar.gz',
          revision: `1.0.0@sha1:${'b'.repeat(40)}`,
          url: 'http://source-controller/web.tar.gz',
        },
      },
    },
    { subresource: 'status' },
  );
  await eventually('deployed read back', async () => {
    const app = (await tc.client.get(Applications, ns, 'web')) as Application | undefined;
    return app?.status?.targets?.find((t) => t.name === 'git')?.deployed === '1.0.0';
  });

  let previous = '';
  await eventually(
    'writes to settle',
    async () => {
      const now = JSON.stringify(writeLines(await scrape(url)));
      const settled = now === previous;
      previous = now;
      return settled;
    },
    30_000,
    2_500,
  ).catch(() => undefined);
  const before = await scrape(url);
  const flux = await fluxVersions();
  const app = (await tc.client.get(Applications, ns, 'web'))!.metadata!.resourceVersion;
  const receiverCalls = calls.length;
  const reconciled = (s: Sample[]) => sum(s, 'depot_reconcile_total');
  // Three resyncs of the Application, the Environment and the three Targets.
  await eventually(
    'three resyncs of every object',
    async () => reconciled(await scrape(url)) >= reconciled(before) + 3 * 5,
    90_000,
  );
  const after = await scrape(url);

  expect(writeLines(after)).toEqual(writeLines(before));
  expect(await fluxVersions()).toBe(flux);
  expect((await tc.client.get(Applications, ns, 'web'))!.metadata!.resourceVersion).toBe(app);
  expect(calls).toHaveLength(receiverCalls);
  expect(receiverCalls).toBe(1);
}, 180_000);
