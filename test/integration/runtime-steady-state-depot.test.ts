// "A resync writes nothing" with Depot's five controllers on config/samples
// (and the Argo CD Applications they deliver to): repeated resyncs reconcile
// everything and send no write, no Event, and change no object. Requests are
// counted, not only resourceVersions: the API server turns a patch that
// changes nothing into a no-op without a new resourceVersion.
import { join } from 'node:path';
import { Applications, Environments, EnvironmentSets, Promotions, Targets } from '../../src/api/resources.js';
import { applyManifests, loadManifests } from '../../src/local/manifests.js';
import { projectRoot } from '../../src/local/project-root.js';
import { createLogger } from '../../src/runtime/log.js';
import type { Manager } from '../../src/runtime/manager.js';
import { startDepotManager } from '../kit/depot-manager.js';
import { freshNamespace, testKubeConfig } from '../controlplane/env.js';
import { afterReconciles, scrape, sum, writeLines, writesSettled } from '../kit/metrics-text.js';
import { testClient, type TestClient } from '../kit/test-client.js';
import type { Application } from '../../src/api/application.js';
import { ArgoApplications } from '../../src/integrations/argocd/resource.js';
import { argoApp, argoClient } from '../kit/argocd.js';
import { eventually } from '../kit/eventually.js';

const kc = testKubeConfig();
const KINDS = [Applications, Environments, EnvironmentSets, Targets, Promotions];
let ns: string;
let argoNs: string;
let manager: Manager;
let url: string;
let tc: TestClient;
const lines: string[] = [];

const resourceVersions = async () => {
  const out: string[] = [];
  for (const kind of KINDS) {
    const list = await tc.client.list(kind, { namespace: ns });
    for (const o of list.items) out.push(`${kind.kind}/${o.metadata?.name}@${o.metadata?.resourceVersion}`);
  }
  for (const o of (await tc.client.list(ArgoApplications, { namespace: argoNs })).items)
    out.push(`argocd/${o.metadata?.name}@${o.metadata?.resourceVersion}`);
  return out.sort();
};

beforeAll(async () => {
  ns = await freshNamespace(kc, 'steady-depot');
  argoNs = await freshNamespace(kc, 'steady-argocd');
  tc = testClient(kc);
  // The sample Targets deliver into Argo CD Applications of this test's own namespace.
  const samples = loadManifests(join(projectRoot(), 'config', 'samples')).map((o) => {
    const argocd = (o as { spec?: { delivery?: { argocd?: { applicationNamespace?: string } } } }).spec
      ?.delivery?.argocd;
    if (argocd) argocd.applicationNamespace = argoNs;
    return o;
  });
  await applyManifests(kc, samples, { fieldManager: 'kubectl', namespace: ns });
  const argo = argoClient(kc);
  for (const app of ['core', 'dash', 'ide']) {
    const source = { repoURL: 'https://github.com/acme/deploy.git', path: app, targetRevision: 'main' };
    await argo.create(argoNs, argoApp(`${app}-dev`, { source }, `${ns}/dev-argocd`));
    await argo.create(
      argoNs,
      // The sample ide names its prod Application in spec.targets: pachyderm-ide.
      argoApp(
        app === 'ide' ? 'pachyderm-ide' : app,
        { source: { ...source, helm: { parameters: [{ name: 'image.tag', value: 'x' }] } } },
        `${ns}/*`,
        // The prod Targets write a Helm parameter: its owner names it (consent per field).
        'helm:image.tag',
      ),
    );
  }
  const log = createLogger({ level: 'debug', destination: { write: (s: string) => void lines.push(s) } });
  ({ manager, url } = await startDepotManager(kc, ns, { identity: 'steady-depot', log }));
});

afterAll(async () => {
  await manager?.stop('test finished');
  await tc?.close();
});

test('every sample is reconciled: each object has a status with a Ready condition', async () => {
  await eventually('every sample to have a Ready condition', async () => {
    for (const kind of KINDS) {
      const list = await tc.client.list(kind, { namespace: ns });
      for (const o of list.items) {
        const conditions = (o.status as { conditions?: { type: string }[] } | undefined)?.conditions;
        if (!conditions?.some((c) => c.type === 'Ready')) return false;
      }
    }
    return true;
  });
});

test('the sample Argo CD Targets deliver into their Applications', async () => {
  await eventually('every Argo CD target Delivered', async () => {
    const apps = (await tc.client.list(Applications, { namespace: ns })).items as unknown as Application[];
    const argoTargets = apps.flatMap((a) =>
      (a.status?.targets ?? []).filter((t) => t.name === 'dev-argocd' || t.name === 'prod-argocd'),
    );
    if (argoTargets.length === 6 && argoTargets.every((t) => t.delivery?.state === 'Delivered')) return true;
    throw new Error(JSON.stringify(argoTargets.map((t) => [t.name, t.desired, t.delivery])));
  });
}, 90_000);

test('a resync at steady state reconciles everything again and writes nothing', async () => {
  // Let the first writes settle (their own watch events reconcile once more).
  // Best effort: if writes never stop, the comparison below shows which.
  await writesSettled(url);
  const before = await scrape(url);
  const versionsBefore = await resourceVersions();
  const objects = versionsBefore.length;
  // Three resync periods: every object is reconciled at least three more times.
  const after = await afterReconciles(url, before, 3 * objects, 'three resyncs of every object');

  expect(writeLines(after)).toEqual(writeLines(before));
  expect(await resourceVersions()).toEqual(versionsBefore);
  expect(sum(after, 'depot_reconcile_errors_total')).toBe(sum(before, 'depot_reconcile_errors_total'));
}, 180_000);
