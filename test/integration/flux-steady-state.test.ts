// "Idempotent and quiet" for Flux: once every Flux target is delivered (a
// patched GitRepository and HelmRelease, a Receiver) and the deployed
// versions are read back, repeated resyncs reconcile everything again and
// send no write at all — no patch of a Flux object, no Receiver call, no
// status patch, no Event. Requests are counted from the operator's metrics.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AUTHORIZED_TARGETS_ANNOTATION } from '../../src/api/annotations.js';
import type { Application } from '../../src/api/application.js';
import { Applications } from '../../src/api/resources.js';
import { applyManifests } from '../../src/local/manifests.js';
import { createLogger } from '../../src/runtime/log.js';
import type { Manager } from '../../src/runtime/manager.js';
import { startDepotManager } from '../kit/depot-manager.js';
import { freshNamespace, testKubeConfig } from '../controlplane/env.js';
import { afterReconciles, scrape, writeLines, writesSettled } from '../kit/metrics-text.js';
import { testClient, type TestClient } from '../kit/test-client.js';
import {
  fluxArtifact,
  fluxObject,
  fluxPatchTarget,
  fluxReady,
  gitRepository,
  GitRepositories,
  HelmReleases,
  writeFluxStatus,
} from '../kit/flux.js';
import { application, environment, target } from '../kit/objects.js';
import { eventually } from '../kit/eventually.js';

const kc = testKubeConfig();
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
  const meta = { namespace: ns, annotations: optIn };
  await tc.client.create(GitRepositories, gitRepository('web', { tag: '0.1.0' }, meta));
  const chart = { chart: 'web', version: '0.1.0', sourceRef: { kind: 'HelmRepository', name: 'charts' } };
  await tc.client.create(
    HelmReleases,
    fluxObject(HelmReleases, 'web', { interval: '5m', chart: { spec: chart } }, meta),
  );
  const patch = (kind: string, apiVersion: string, field: string) => ({
    apiVersion,
    kind,
    name: '${application}',
    field,
  });
  await applyManifests(
    kc,
    [
      environment('prod'),
      fluxPatchTarget('git', 'prod', patch('GitRepository', 'source.toolkit.fluxcd.io/v1', 'spec.ref.tag')),
      fluxPatchTarget(
        'helm',
        'prod',
        patch('HelmRelease', 'helm.toolkit.fluxcd.io/v2', 'spec.chart.spec.version'),
      ),
      target('hook', 'prod', {
        delivery: { flux: { receiver: { url: `${receiverBase}/hook/web`, type: 'generic' } } },
      }),
      application('web', { environments: [{ name: 'prod' }], versions: { prod: '1.0.0' } }),
    ],
    { fieldManager: 'test-setup', namespace: ns },
  );

  const log = createLogger({ level: 'warn', destination: { write: () => {} } });
  ({ manager, url } = await startDepotManager(kc, ns, {
    identity: 'flux-steady',
    log,
    receiverUrlAllow: [`${receiverBase}/hook/`],
  }));
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
  await writeFluxStatus(tc.client, GitRepositories, ns, 'web', {
    conditions: fluxReady(),
    artifact: fluxArtifact('web', `1.0.0@sha1:${'b'.repeat(40)}`, 'a'),
  });
  await eventually('deployed read back', async () => {
    const app = (await tc.client.get(Applications, ns, 'web')) as Application | undefined;
    return app?.status?.targets?.find((t) => t.name === 'git')?.deployed === '1.0.0';
  });

  await writesSettled(url);
  const before = await scrape(url);
  const flux = await fluxVersions();
  const app = (await tc.client.get(Applications, ns, 'web'))!.metadata!.resourceVersion;
  const receiverCalls = calls.length;
  // Three resyncs of the Application, the Environment and the three Targets.
  const after = await afterReconciles(url, before, 3 * 5, 'three resyncs of every object');

  expect(writeLines(after)).toEqual(writeLines(before));
  expect(await fluxVersions()).toBe(flux);
  expect((await tc.client.get(Applications, ns, 'web'))!.metadata!.resourceVersion).toBe(app);
  expect(calls).toHaveLength(receiverCalls);
  expect(receiverCalls).toBe(1);
}, 180_000);
