// A cron freeze window opens and ends by itself on the real control plane: a
// version requested inside it is Blocked (Frozen) and delivered on its own
// once it ends, with history Blocked then Unblocked. The window recurs every
// minute for 20 s and the request is made only with time to spare, so the test
// does not depend on the machine's speed.
import type { Application } from '../../src/api/application.js';
import type { Condition } from '../../src/api/conditions.js';
import { application, environment, target } from '../kit/objects.js';
import { cluster, depotResource } from '../kit/cluster.js';
import { runOperator } from '../kit/operator.js';
import { depotCli, type OperatorProcess } from '../kit/operator-process.js';
import { eventually } from '../kit/eventually.js';
import { freshNamespace } from '../controlplane/env.js';

const k = cluster();
const { kc } = k;
const kubeconfig = process.env.DEPOT_TEST_KUBECONFIG!;
/** Time left in the window when the request is made, at least: far more than a reconcile takes. */
const SPARE_MS = 8_000;
let ns: string;
let operator: OperatorProcess;

const get = <T>(plural: string, name: string) => k.read<T>(depotResource(plural), ns, name);
const prodOf = (a: Application) => a.status?.environments?.find((e) => e.name === 'prod');

const freezeEveryMinute = {
  freeze: { enabled: true, windows: [{ schedule: '* * * * *', duration: '20s', timeZone: 'UTC' }] },
};

beforeAll(async () => {
  ns = await freshNamespace(kc, 'freeze-window');
  await k.apply(ns, [
    environment('prod'),
    target('prod-eu', 'prod'),
    application('app', { environments: [{ name: 'prod' }], versions: { prod: '1.0.0' } }),
  ]);
  operator = await runOperator(ns);
  await eventually(
    'app desired in prod',
    async () => prodOf(await get('applications', 'app'))?.desired === '1.0.0',
  );
  // The freeze comes after the first version (which it would hold back too).
  await k.apply(ns, [environment('prod', freezeEveryMinute)]);
}, 90_000);

afterAll(async () => operator?.stop());

/** The end of the open window, once one is open with SPARE_MS left (the Environment's Frozen condition). */
async function openWindowEnd(): Promise<number> {
  return eventually(
    'a freeze window with time to spare',
    async () => {
      const env = await get<{ status?: { conditions?: Condition[] } }>('environments', 'prod');
      const frozen = env.status?.conditions?.find((c) => c.type === 'Frozen');
      const until = /frozen until (\S+)$/.exec(frozen?.status === 'True' ? frozen.message : '')?.[1];
      const end = until ? Date.parse(until) : NaN;
      return end - Date.now() >= SPARE_MS ? end : undefined;
    },
    150_000,
    200,
  );
}

test('a version requested in an open window is Blocked, then delivered when the window ends', async () => {
  const windowEnd = await openWindowEnd();
  expect(depotCli(kubeconfig, ns, 'set-version', 'app', 'prod', '1.1.0').status).toBe(0);

  const held = await eventually('the request to be blocked by the freeze', async () => {
    const a = await get<Application>('applications', 'app');
    return prodOf(a)?.blocked?.reason === 'Frozen' ? a : undefined;
  });
  expect(prodOf(held)).toMatchObject({ requested: '1.1.0', desired: '1.0.0' });
  expect(prodOf(held)!.blocked!.message).toContain(`frozen until ${new Date(windowEnd).toISOString()}`);

  // Nobody touches anything: the operator delivers it when the window ends.
  const delivered = await eventually(
    'the version to be delivered after the window',
    async () => {
      const a = await get<Application>('applications', 'app');
      return prodOf(a)?.desired === '1.1.0' ? a : undefined;
    },
    90_000,
  );
  expect(prodOf(delivered)!.blocked ?? undefined).toBeUndefined();
  expect(Date.parse(prodOf(delivered)!.desiredSince!)).toBeGreaterThanOrEqual(windowEnd);

  const history = delivered.status!.history!.filter((h) => h.environment === 'prod' && h.to === '1.1.0');
  const types = history.map((h) => h.type).reverse(); // oldest first
  expect(types.filter((t) => t === 'Blocked' || t === 'Unblocked')).toEqual(['Blocked', 'Unblocked']);
  const unblocked = history.find((h) => h.type === 'Unblocked')!;
  expect(unblocked).toMatchObject({ from: '1.0.0', actor: 'depot' });
  expect(unblocked.message).toContain('(Frozen)');
  expect(Date.parse(unblocked.time)).toBeGreaterThanOrEqual(windowEnd);
}, 300_000);
