// Reconciles per change, counted from the built operator's /metrics: a CI
// change of an Application's version costs one Application reconcile when
// nothing else changes — the operator's own status write (and its own write
// of the Argo CD Application it delivers to) coming back as a watch event is
// not planned again — while a change by another writer is still reconciled.
import type { Application } from '../../src/api/application.js';
import { Applications } from '../../src/api/resources.js';
import { freePort } from '../../src/local/controlplane/index.js';
import { argoApp, argoClient } from '../kit/argocd.js';
import { application, environment, target } from '../kit/objects.js';
import { cluster, targetStatus } from '../kit/cluster.js';
import { runOperator } from '../kit/operator.js';
import type { OperatorProcess } from '../kit/operator-process.js';
import { eventually } from '../kit/eventually.js';
import { freshNamespace } from '../controlplane/env.js';
import { scrape, sum } from '../kit/metrics-text.js';

const k = cluster();
const argo = argoClient(k.kc);
const APPS = ['a1', 'a2', 'a3', 'a4'];

let ns: string;
let argoNs: string;
let operator: OperatorProcess;
let metricsUrl: string;

const reconciles = async () =>
  sum(await scrape(metricsUrl), 'depot_reconcile_total', { controller: 'application' });

/** The application reconcile count once it has stopped changing for a few seconds. */
async function settledReconciles(): Promise<number> {
  let last = -1;
  let stableSince = 0;
  await eventually(
    'application reconciles to settle',
    async () => {
      const now = await reconciles();
      if (now !== last) [last, stableSince] = [now, Date.now()];
      return Date.now() - stableSince >= 3_000;
    },
    60_000,
    500,
  );
  return last;
}

/** What CI has set so far: each apply names every version it owns. */
const versions: Record<string, string> = {};

function setVersions(env: string, version: string): Promise<void> {
  versions[env] = version;
  const spec = { environments: [{ name: 'none' }, { name: 'argo' }], versions: { ...versions } };
  return k.apply(
    ns,
    APPS.map((name) => application(name, spec)),
    'ci',
  );
}

const deliveredEverywhere = (env: string, version: string) =>
  Promise.all(
    APPS.map((name) =>
      k.appWhen(ns, name, `${name}: ${version} delivered in ${env}`, (a: Application) => {
        const t = targetStatus(a, env);
        return t?.desired === version && t.delivery?.state === 'Delivered';
      }),
    ),
  );

beforeAll(async () => {
  ns = await freshNamespace(k.kc, 'per-change');
  argoNs = await freshNamespace(k.kc, 'per-change-argocd');
  await k.apply(ns, [
    environment('none'),
    target('none', 'none'),
    environment('argo'),
    target('argo', 'argo', {
      delivery: { argocd: { applicationNamespace: argoNs, applicationName: '${application}-argo' } },
    }),
  ]);
  for (const name of APPS)
    await argo.create(
      argoNs,
      argoApp(
        `${name}-argo`,
        { source: { repoURL: 'https://github.com/acme/deploy.git', path: name, targetRevision: 'main' } },
        `${ns}/argo`,
      ),
    );
  versions.none = '1.0.0';
  await setVersions('argo', '1.0.0');
  metricsUrl = `http://127.0.0.1:${await freePort()}`;
  operator = await runOperator(ns, { args: ['--metrics-addr', metricsUrl.slice('http://'.length)] });
  // The first delivery also starts the cache of the Argo CD namespace (its sync re-runs them): not counted.
  await deliveredEverywhere('none', '1.0.0');
  await deliveredEverywhere('argo', '1.0.0');
}, 120_000);

afterAll(async () => {
  await operator?.stop();
});

test('a CI change with no delivery costs one reconcile per Application', async () => {
  const before = await settledReconciles();
  await setVersions('none', '1.1.0');
  await deliveredEverywhere('none', '1.1.0');
  expect((await settledReconciles()) - before).toBe(APPS.length);
}, 90_000);

test('a CI change delivered into Argo CD costs one reconcile per Application, attempt included', async () => {
  const before = await settledReconciles();
  await setVersions('argo', '2.0.0');
  await deliveredEverywhere('argo', '2.0.0');
  for (const name of APPS)
    expect((await argo.get(argoNs, `${name}-argo`)).spec.source?.targetRevision).toBe('2.0.0');
  expect((await settledReconciles()) - before).toBe(APPS.length);
}, 90_000);

test("another writer's change of the status, or of the delivered field, is still reconciled", async () => {
  const before = await settledReconciles();
  // Someone else rewrites the status: the operator puts its own back.
  await k.client.patch(
    Applications,
    ns,
    'a1',
    { status: { conditions: [] } },
    { type: 'merge', subresource: 'status' },
  );
  await k.appWhen(ns, 'a1', 'a1: its conditions restored', (a: Application) =>
    (a.status?.conditions ?? []).some((c) => c.type === 'Ready'),
  );
  // Someone else resets the delivered field: the operator writes the version again.
  await argo.merge(argoNs, 'a2-argo', { spec: { source: { targetRevision: 'main' } } });
  await eventually(
    'a2-argo to carry 2.0.0 again',
    async () => (await argo.get(argoNs, 'a2-argo')).spec.source?.targetRevision === '2.0.0',
  );
  expect((await settledReconciles()) - before).toBeGreaterThanOrEqual(2);
}, 90_000);
