// spec.gates in core: what an http gate's answer means, and how the kept
// answers decide a candidate (pending waits, failed is refused with the
// gate's message, every gate passed promotes), with the candidates to ask.
import type { Application } from '../../api/application.js';
import { MAX_GATE_MESSAGE, type PromotionGate } from '../../api/promotion.js';
import { planApplication } from '../application/plan.js';
import { app, byName, env, promotion, set, target } from '../testing/builders.js';
import { gateStop, httpGateBody, httpGateResult, type GateAnswer, type GateAnswers } from './gate-answers.js';
import { planPromotion } from './plan.js';
import { promotionProblem } from './status.js';

describe('httpGateResult', () => {
  test.each([
    [200, '', 'Passed'],
    [204, '  ', 'Passed'],
    [200, '{"result":"pass"}', 'Passed'],
    [200, '{"result":"pending"}', 'Pending'],
    [202, '{"result":"pending","message":"smoke tests running"}', 'Pending'],
    [425, '', 'Pending'],
    [429, 'slow down', 'Pending'],
    [200, '{"result":"fail","message":"error rate 7%"}', 'Failed'],
    [200, 'OK', 'Failed'],
    [200, '{"result":"maybe"}', 'Failed'],
    [302, '', 'Failed'],
    [500, '{"message":"checker broke"}', 'Failed'],
    [403, 'forbidden', 'Failed'],
  ] as const)('HTTP %d %j is %s', (status, body, result) => {
    expect(httpGateResult(status, body).result).toBe(result);
  });

  test("a failure carries the answer's message, on one line and bounded", () => {
    expect(httpGateResult(200, '{"result":"fail","message":"error rate\\n 7%"}').message).toBe(
      'error rate 7%',
    );
    expect(httpGateResult(503, 'down for\nmaintenance').message).toBe('HTTP 503: down for maintenance');
    expect(httpGateResult(302, '').message).toBe('HTTP 302 (redirects are not followed)');
    const long = httpGateResult(500, 'x'.repeat(5000)).message;
    expect(long.length).toBe(MAX_GATE_MESSAGE);
    expect(long.endsWith('…')).toBe(true);
  });

  test('the body names the candidate and the promotion, in a fixed order (it is signed)', () => {
    expect(
      httpGateBody({
        promotion: 'p',
        to: 'prod',
        from: 'staging',
        version: '1.2.3',
        namespace: 'ns',
        application: 'web',
      }),
    ).toBe(
      '{"application":"web","namespace":"ns","version":"1.2.3","from":"staging","to":"prod","promotion":"p"}',
    );
  });
});

const smoke: PromotionGate = { name: 'smoke', http: { url: 'http://checks/depot/smoke' } };
const errors: PromotionGate = {
  name: 'errors',
  interval: '30s',
  http: { url: 'http://checks/depot/errors' },
};

describe('gateStop', () => {
  test('a failed gate refuses before a pending one waits; all passed lets the version through', () => {
    const passed = { name: 'smoke', result: 'Passed' } as const;
    expect(gateStop([smoke, errors], [passed, { name: 'errors', result: 'Passed' }])).toBeUndefined();
    expect(
      gateStop([smoke, errors], [{ name: 'smoke', result: 'Pending', message: 'running' }, passed]),
    ).toEqual({
      outcome: 'Waiting',
      reason: 'gate smoke is pending: running (asked again within 1m)',
    });
    expect(
      gateStop(
        [smoke, errors],
        [
          { name: 'smoke', result: 'Pending', message: 'running' },
          { name: 'errors', result: 'Failed', message: 'error rate 7%' },
        ],
      ),
    ).toEqual({ outcome: 'Blocked', reason: 'gate errors failed: error rate 7% (asked again within 30s)' });
  });
});

const t0 = new Date('2026-11-20T12:00:00Z');

function settled(a: Application): Application {
  const status = planApplication({
    app: a,
    environments: byName(env('staging'), env('prod')),
    sets: byName(set('default', ['staging', 'prod'])),
    targets: [target('staging-1', 'staging'), target('prod-1', 'prod')],
    now: t0,
    historyLimit: 100,
  }).status;
  return { ...a, status };
}

describe('planPromotion with spec.gates', () => {
  const web = settled(app('web', { versions: { staging: '1.3.0', prod: '1.2.0' } }));
  const gated = (extra: Partial<ReturnType<typeof promotion>['spec']> = {}) =>
    promotion('staging-to-prod', {
      from: 'staging',
      to: 'prod',
      requireDeployed: false,
      gates: [smoke],
      ...extra,
    });
  const answering =
    (answer: GateAnswer | undefined, forVersion = '1.3.0'): GateAnswers =>
    (application, version, gate) =>
      application === 'web' && version === forVersion && gate.name === 'smoke' ? answer : undefined;
  const at = '2026-11-20T12:00:05.000Z';

  test('not answered yet: the version waits and is asked', () => {
    const plan = planPromotion({ promotion: gated(), applications: [web], now: t0 });
    expect(plan.results[0]).toEqual({
      application: 'web',
      version: '1.3.0',
      outcome: 'Waiting',
      reason: 'gate smoke is pending: not answered yet (asked again within 1m)',
      gates: [{ name: 'smoke', result: 'Pending', message: 'not answered yet' }],
    });
    expect(plan.writes).toEqual([]);
    expect(plan.gateAsks).toEqual([{ application: 'web', version: '1.3.0', current: '1.2.0' }]);
  });

  test('failed: refused with the gate message; an answer for another version counts for nothing', () => {
    const failed = { result: 'Failed', message: 'error rate 7%', time: at } as const;
    const plan = planPromotion({
      promotion: gated(),
      applications: [web],
      now: t0,
      gateAnswers: answering(failed),
    });
    expect(plan.results[0]).toMatchObject({
      outcome: 'Blocked',
      reason: 'gate smoke failed: error rate 7% (asked again within 1m)',
      gates: [{ name: 'smoke', result: 'Failed', message: 'error rate 7%', time: at }],
    });
    expect(plan.writes).toEqual([]);
    expect(plan.gateAsks).toHaveLength(1);
    const stale = planPromotion({
      promotion: gated(),
      applications: [web],
      now: t0,
      gateAnswers: answering({ result: 'Passed', message: 'ok', time: at }, '1.2.9'),
    });
    expect(stale.results[0]!.outcome).toBe('Waiting');
  });

  test('passed: promoted, with the answer in the result and nothing to ask', () => {
    const passed = { result: 'Passed', message: 'passed (HTTP 200)', time: at } as const;
    const plan = planPromotion({
      promotion: gated(),
      applications: [web],
      now: t0,
      gateAnswers: answering(passed),
    });
    expect(plan.results[0]).toMatchObject({
      outcome: 'Promoted',
      gates: [{ name: 'smoke', result: 'Passed', message: 'passed (HTTP 200)', time: at }],
    });
    expect(plan.writes).toEqual([{ application: 'web', version: '1.3.0' }]);
    expect(plan.gateAsks).toEqual([]);
  });

  test('gates are asked only after soak: a soaking version is not asked', () => {
    const plan = planPromotion({ promotion: gated({ after: '1h' }), applications: [web], now: t0 });
    expect(plan.results[0]!.reason).toMatch(/^soaking/);
    expect(plan.gateAsks).toEqual([]);
  });

  test('a gate URL outside --gate-url-allow makes the Promotion not Ready, naming the gate and field', () => {
    const envs = new Set(['staging', 'prod']);
    expect(promotionProblem(gated(), [], envs, ['http://checks/depot/'])).toBeUndefined();
    expect(promotionProblem(gated(), [], envs, ['http://checks/other/'])).toEqual({
      type: 'Ready',
      status: 'False',
      reason: 'GateNotAllowed',
      message:
        'spec.gates[0].http.url (gate smoke): http://checks/… is under none of the prefixes allowed by --gate-url-allow; nothing is promoted',
    });
    expect(promotionProblem(gated(), [], envs, [])?.message).toMatch(
      /no gate URL is allowed; start the operator with --gate-url-allow/,
    );
  });
});

test('after the move (UpToDate) the result keeps the answers it has for the version, and asks nothing', () => {
  const web = settled(app('web', { versions: { staging: '1.3.0', prod: '1.3.0' } }));
  const passed = { result: 'Passed', message: 'ok', time: '2026-11-20T12:00:05.000Z' } as const;
  const p = promotion('staging-to-prod', {
    from: 'staging',
    to: 'prod',
    requireDeployed: false,
    gates: [smoke, errors],
  });
  const plan = planPromotion({
    promotion: p,
    applications: [web],
    now: t0,
    gateAnswers: (_a, _v, gate) => (gate.name === 'smoke' ? passed : undefined),
  });
  expect(plan.results[0]).toMatchObject({
    outcome: 'UpToDate',
    gates: [{ name: 'smoke', result: 'Passed' }],
  });
  expect(plan.gateAsks).toEqual([]);
  expect(planPromotion({ promotion: p, applications: [web], now: t0 }).results[0]!.gates).toBeUndefined();
});
