// The prometheus gate against a real Prometheus server (Debian's package,
// installed by scripts/ensure-prometheus.sh), scraping a small exporter the
// test controls on loopback: no sample waits, a high error rate blocks, a
// low one promotes. Conditions and queries the API server can judge are
// refused at admission.
import type { Promotion } from '../../src/api/promotion.js';
import { Promotions } from '../../src/api/resources.js';
import { freshNamespace } from '../controlplane/env.js';
import { cluster } from '../kit/cluster.js';
import { eventually } from '../kit/eventually.js';
import { application, promotion } from '../kit/objects.js';
import { runOperator } from '../kit/operator.js';
import { startPrometheus, type ScrapedPrometheus } from '../kit/prometheus.js';
import type { OperatorProcess } from '../kit/operator-process.js';
import { environments } from '../kit/topologies.js';

const k = cluster();
let ns: string;
let operator: OperatorProcess;
let prom: ScrapedPrometheus;
let promUrl: string;
/** What the exporter serves for web 1.3.0; undefined: no sample. */
let errorRatio: string | undefined;

const result = async () =>
  (await k.read<Promotion>(Promotions, ns, 'to-prod')).status?.results?.find((r) => r.application === 'web');
const prodVersion = async () => (await k.app(ns, 'web')).spec.versions!.prod;

beforeAll(async () => {
  prom = await startPrometheus(() =>
    errorRatio === undefined
      ? '# no samples yet\n'
      : `# TYPE app_error_ratio gauge\napp_error_ratio{application="web",version="1.3.0"} ${errorRatio}\n`,
  );
  promUrl = prom.url;

  ns = await freshNamespace(k.kc, 'gate-prom');
  await k.apply(ns, [
    ...environments(['staging', 'prod']),
    application('web', { environmentSets: ['default'], versions: { staging: '1.3.0', prod: '1.2.0' } }),
    promotion('to-prod', {
      from: 'staging',
      to: 'prod',
      requireDeployed: false,
      gates: [
        {
          name: 'error-rate',
          interval: '2s',
          prometheus: {
            address: promUrl,
            query: 'max(app_error_ratio{application="${application}",version="${version}"})',
            condition: '< 0.01',
            noDataTimeout: '10m',
          },
        },
      ],
    }),
  ]);
  operator = await runOperator(ns, { args: [`--gate-url-allow=${promUrl}/api/`] });
}, 180_000);

afterAll(async () => {
  await operator?.stop();
  await prom?.stop();
  await k.close();
});

test('no sample waits; a high error rate blocks; a low one promotes', async () => {
  const waiting = await eventually('no sample: pending', async () => {
    const r = await result();
    return r?.gates?.[0]?.result === 'Pending' && r.gates[0].time !== undefined && r;
  });
  expect(waiting).toMatchObject({
    outcome: 'Waiting',
    reason: 'gate error-rate is pending: the query returned no sample (asked again within 2s)',
  });

  errorRatio = '0.2';
  const blocked = await eventually('a high error rate blocks', async () => {
    const r = await result();
    return r?.outcome === 'Blocked' && r;
  });
  expect(blocked.reason).toBe('gate error-rate failed: 0.2 does not satisfy < 0.01 (asked again within 2s)');
  expect(await prodVersion()).toBe('1.2.0');

  errorRatio = '0.001';
  await eventually('a low error rate promotes', async () => (await prodVersion()) === '1.3.0');
  const app = await k.appWhen(ns, 'web', 'GatePassed', (a) =>
    a.status?.history?.some((h) => h.type === 'GatePassed'),
  );
  expect(app.status!.history!.find((h) => h.type === 'GatePassed')!.message).toBe(
    'gate error-rate of Promotion to-prod passed: 0.001 satisfies < 0.01',
  );
}, 120_000);

test.each([
  ['a condition that does not parse', { condition: 'below 1%' }, /must compare with a number/],
  ['an unknown template variable', { query: 'up{app="${app}"}' }, /whose only variables are/],
])('%s is refused at admission', async (_what, change, message) => {
  const gate = { name: 'q', prometheus: { address: promUrl, query: 'up', condition: '< 1', ...change } };
  await expect(
    k.apply(ns, [promotion('bad', { from: 'staging', to: 'prod', gates: [gate] })]),
  ).rejects.toThrow(message);
});
