// Verification after delivery (spec.verify) on the real control plane, with
// a real Prometheus (Debian's package, scripts/ensure-prometheus.sh)
// scraping an exporter the test controls on loopback, and prod delivered to
// Argo CD Applications (the upstream CRD; the test writes their status as
// Argo CD's controller does). web: its error rate turns bad after 1.1.0 lands
// in prod → rolled back to 1.0.0 within the window, rejected, held, and the
// Argo CD Application carries 1.0.0 again. api: a passing window → Verified,
// and the requireVerified Promotion prod → live then moves it on.
import type { Promotion, PromotionVerification } from '../../src/api/promotion.js';
import { Promotions } from '../../src/api/resources.js';
import { freshNamespace } from '../controlplane/env.js';
import { argoApp, argoClient } from '../kit/argocd.js';
import { cluster } from '../kit/cluster.js';
import { eventually } from '../kit/eventually.js';
import { application, promotion, target } from '../kit/objects.js';
import { cliIn, runOperator } from '../kit/operator.js';
import type { OperatorProcess } from '../kit/operator-process.js';
import { startPrometheus, type ScrapedPrometheus } from '../kit/prometheus.js';
import { environments } from '../kit/topologies.js';

const k = cluster();
const argo = argoClient(k.kc);
let ns: string;
let argoNs: string;
let operator: OperatorProcess;
let prom: ScrapedPrometheus;
let promUrl: string;
let operatorArgs: string[];
/** The error ratio the exporter serves, by `application/version`. */
const errorRatio = new Map<string, string>([
  ['web/1.1.0', '0.001'],
  ['api/2.1.0', '0.001'],
]);

const verification = async (app: string): Promise<PromotionVerification | undefined> =>
  (await k.read<Promotion>(Promotions, ns, 'to-prod')).status?.verifications?.find(
    (r) => r.application === app,
  );
const phase = (app: string, want: PromotionVerification['phase']) =>
  eventually(`${app}: verification ${want}`, async () => {
    const r = await verification(app);
    return r?.phase === want && r;
  });

/** Argo CD synced what Depot wrote: once targetRevision is `version`, report it synced and healthy. */
const syncWhenDelivered = (name: string, version: string) =>
  eventually(`${name} at ${version}, then synced`, async () => {
    const a = await argo.get(argoNs, name);
    if (a.spec.source?.targetRevision !== version) return false;
    await argo.reportSynced(argoNs, name);
    return true;
  });

const gitSource = { repoURL: 'https://github.com/acme/deploy.git', path: 'apps', targetRevision: 'main' };

beforeAll(async () => {
  prom = await startPrometheus(() => {
    const lines = [...errorRatio].map(([key, value]) => {
      const [app, version] = key.split('/');
      return `app_error_ratio{application="${app}",version="${version}"} ${value}`;
    });
    return `# TYPE app_error_ratio gauge\n${lines.join('\n')}\n`;
  });
  promUrl = prom.url;

  ns = await freshNamespace(k.kc, 'verify');
  argoNs = await freshNamespace(k.kc, 'verify-argocd');
  for (const app of ['web', 'api'])
    await argo.create(argoNs, argoApp(`${app}-prod`, { source: gitSource }, `${ns}/prod`));
  await k.apply(ns, [
    ...environments(['staging', 'prod', 'live']),
    target('prod', 'prod', {
      delivery: { argocd: { applicationNamespace: argoNs, applicationName: '${application}-prod' } },
    }),
    application('web', {
      environmentSets: ['default'],
      versions: { staging: '1.1.0', prod: '1.0.0', live: '1.0.0' },
    }),
    application('api', {
      environmentSets: ['default'],
      versions: { staging: '2.1.0', prod: '2.0.0', live: '2.0.0' },
    }),
    promotion('to-prod', {
      from: 'staging',
      to: 'prod',
      requireDeployed: false,
      verify: {
        for: '20s',
        deployTimeout: '3m',
        onFailure: 'rollback',
        reject: true,
        gates: [
          {
            name: 'error-rate',
            interval: '2s',
            prometheus: {
              address: promUrl,
              query: 'max(app_error_ratio{application="${application}",version="${version}"})',
              condition: '< 0.05',
              noDataTimeout: '1m',
            },
          },
        ],
      },
    }),
    promotion('to-live', { from: 'prod', to: 'live', requireDeployed: false, requireVerified: true }),
  ]);
  operatorArgs = [`--gate-url-allow=${promUrl}/api/`, '--delivery-retry-base-delay', '200ms'];
  operator = await runOperator(ns, { args: operatorArgs });
}, 180_000);

afterAll(async () => {
  await operator?.stop();
  await prom?.stop();
  await k.close();
});

test('a bad error rate after the version lands in prod: rolled back within the window, rejected, held; Argo CD carries the previous version again', async () => {
  expect((await phase('web', 'Deploying')).version).toBe('1.1.0');
  await syncWhenDelivered('web-prod', '1.1.0');
  const started = await phase('web', 'Verifying');
  // The live Promotion does not take a version under verification.
  await eventually('to-live waits for the verification', async () => {
    const r = (await k.read<Promotion>(Promotions, ns, 'to-live')).status?.results?.find(
      (x) => x.application === 'web',
    );
    return r?.outcome === 'Waiting' && r.reason?.includes('requireVerified: 1.1.0 is being verified in prod');
  });

  errorRatio.set('web/1.1.0', '0.5');
  const failed = await phase('web', 'Failed');
  expect(failed).toMatchObject({ version: '1.1.0', replaced: '1.0.0', action: 'RolledBack', rejected: true });
  expect(failed.message).toContain('verification gate error-rate failed: 0.5 does not satisfy < 0.05');
  // Within the window: the failure ended it before its end.
  expect(Date.parse(failed.finishedAt!)).toBeLessThan(Date.parse(started.startedAt!) + 20_000);

  const web = await k.appWhen(ns, 'web', 'RolledBack and VerificationFailed in the history', (a) =>
    ['RolledBack', 'VerificationFailed'].every((type) => a.status?.history?.some((h) => h.type === type)),
  );
  expect(web.spec.versions!.prod).toBe('1.0.0');
  const rolledBack = web.status!.history!.find((h) => h.type === 'RolledBack')!;
  expect(rolledBack).toMatchObject({
    environment: 'prod',
    from: '1.1.0',
    to: '1.0.0',
    actor: 'promotion/to-prod',
  });
  expect(rolledBack.message).toContain('error-rate failed: 0.5 does not satisfy < 0.05');
  expect(web.spec.rejectedVersions).toEqual([
    expect.objectContaining({ version: '1.1.0', rejectedBy: 'promotion/to-prod' }),
  ]);
  const managers = (web.metadata.managedFields ?? []) as { manager?: string }[];
  expect(managers.some((m) => m.manager === 'depot-verification')).toBe(true);

  // Held as after a person's rollback, and rejected: to-prod does not move 1.1.0 again.
  const toProd = await eventually('to-prod holds web', async () => {
    const p = await k.read<Promotion>(Promotions, ns, 'to-prod');
    return p.status?.holds?.some((h) => h.application === 'web' && h.version === '1.1.0') && p;
  });
  expect(toProd.status!.holds!.find((h) => h.application === 'web')).toMatchObject({
    rolledBackTo: '1.0.0',
    by: 'promotion/to-prod',
  });
  expect(toProd.status!.results!.find((r) => r.application === 'web')).toMatchObject({
    outcome: 'Blocked',
    version: '1.1.0',
  });

  // The delivered Argo CD Application carries the previous version again.
  await eventually(
    'web-prod back at 1.0.0',
    async () => (await argo.get(argoNs, 'web-prod')).spec.source?.targetRevision === '1.0.0',
  );
  expect((await k.app(ns, 'web')).spec.versions!.prod).toBe('1.0.0');

  // The CLI shows it: the VERIFY column and the history.
  const cli = cliIn(ns);
  const promotions = cli('get', 'promotions');
  expect(promotions.stdout).toContain('VERIFY');
  expect(promotions.stdout).toMatch(/20s rollback\+reject: \d verifying, \d verified, 1 failed/);
  const history = cli('history', 'web').stdout;
  for (const type of ['VerificationFailed', 'RolledBack']) expect(history).toContain(type);
  expect(history).toContain('promotion/to-prod');
}, 180_000);

test('a passing window verifies the version; the requireVerified Promotion then moves it on', async () => {
  await syncWhenDelivered('api-prod', '2.1.0');
  const verifying = await phase('api', 'Verifying');
  // The window survives a restart of the operator: it is read back from status, not started again.
  await operator.stop();
  operator = await runOperator(ns, { args: operatorArgs });
  const verified = await phase('api', 'Verified');
  expect(verified.startedAt).toBe(verifying.startedAt);
  expect(verified.promotedAt).toBe(verifying.promotedAt);
  expect(verified.gates).toEqual([
    expect.objectContaining({ name: 'error-rate', result: 'Passed', message: '0.001 satisfies < 0.05' }),
  ]);
  await eventually(
    'api 2.1.0 promoted into live',
    async () => (await k.app(ns, 'api')).spec.versions!.live === '2.1.0',
  );
  // The Application's history records the verification from the Promotion's status, on
  // its own reconcile: it may come after the to-live Promotion moved the version on.
  const api = await eventually('api history records Verified', async () => {
    const a = await k.app(ns, 'api');
    return a.status?.history?.some((h) => h.type === 'Verified') && a;
  });
  expect(api.spec.versions!.prod).toBe('2.1.0');
  expect(api.status!.history!.find((h) => h.type === 'Verified')).toMatchObject({
    environment: 'prod',
    to: '2.1.0',
    actor: 'promotion/to-prod',
  });
  // web stays where it was rolled back in live (1.1.0 was never verified).
  expect((await k.app(ns, 'web')).spec.versions!.live).toBe('1.0.0');
}, 180_000);

test.each([
  [
    'reject with onFailure none',
    { onFailure: 'none', reject: true },
    /reject applies when a verification fails and acts/,
  ],
  ['no gates', { gates: [] }, /spec.verify.gates.*at least 1 items/],
  ['a window that is not a duration', { for: 'a while' }, /spec.verify.for/],
])('spec.verify with %s is refused at admission', async (_what, change, message) => {
  const verify = {
    for: '1m',
    gates: [{ name: 'q', prometheus: { address: promUrl, query: 'up', condition: '< 1' } }],
    ...change,
  };
  await expect(
    k.apply(ns, [promotion('bad-verify', { from: 'staging', to: 'prod', verify } as never)]),
  ).rejects.toThrow(message);
});
