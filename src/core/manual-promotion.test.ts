import type { Application } from '../api/application.js';
import { planManualPromotion } from './manual-promotion.js';
import { app, byName, env, promotion, set } from './testing/builders.js';

const withStatus = (a: Application, desired: Record<string, string>): Application => ({
  ...a,
  status: { environments: Object.entries(desired).map(([name, d]) => ({ name, desired: d, blocked: null })) },
});
const sets = byName(set('default', ['dev', 'staging', 'prod']));
const environments = byName(env('dev'), env('staging'), env('prod'));
const core = withStatus(app('core'), { dev: '1.3.0', staging: '1.2.0', prod: '1.1.0' });

test('without --from: the Promotion into the environment decides the source', () => {
  const r = planManualPromotion({
    app: core,
    to: 'prod',
    promotions: [promotion('dev-to-prod', { from: 'dev', to: 'prod' })],
    sets,
    environments,
  });
  expect(r).toEqual({ ok: true, from: 'dev', to: 'prod', version: '1.3.0', via: 'Promotion dev-to-prod' });
});

test('without --from or a Promotion: the previous environment in set order', () => {
  expect(planManualPromotion({ app: core, to: 'prod', promotions: [], sets, environments })).toMatchObject({
    ok: true,
    from: 'staging',
    version: '1.2.0',
  });
});

test('--from wins', () => {
  expect(
    planManualPromotion({ app: core, to: 'prod', from: 'dev', promotions: [], sets, environments }),
  ).toMatchObject({ from: 'dev', version: '1.3.0' });
});

test.each([
  [{ to: 'dev' }, 'dev is the first environment of core: pass --from'],
  [{ to: 'qa' }, 'qa is not an environment of core (dev, staging, prod)'],
  [{ to: 'prod', from: 'prod' }, '--from and the target environment are both prod'],
])('%o is refused: %s', (opts, message) => {
  expect(planManualPromotion({ app: core, promotions: [], sets, environments, ...opts })).toEqual({
    ok: false,
    message,
  });
});

test('nothing desired in the source yet', () => {
  const fresh = withStatus(app('core'), {});
  expect(planManualPromotion({ app: fresh, to: 'prod', promotions: [], sets, environments })).toEqual({
    ok: false,
    message: 'no version of core is desired in staging yet',
  });
});

test('two Promotions into one environment need --from', () => {
  const r = planManualPromotion({
    app: core,
    to: 'prod',
    promotions: [
      promotion('a', { from: 'dev', to: 'prod' }),
      promotion('b', { from: 'staging', to: 'prod' }),
    ],
    sets,
    environments,
  });
  expect(r).toEqual({ ok: false, message: 'several Promotions promote into prod (a, b): pass --from' });
});
