import { planEnvironmentSet } from './environment-set.js';
import { agentRecheckAfterMs, planTarget } from './target.js';
import { set, target } from './testing/builders.js';

const now = new Date('2026-11-20T12:00:00Z');

describe('Target status', () => {
  test('Ready with its delivery kind when the Environment exists', () => {
    const status = planTarget({
      target: target('prod-eu', 'prod', { none: {} }),
      environments: new Set(['prod']),
      now,
    });
    expect(status).toMatchObject({ observedGeneration: 1, deliveryKind: 'none' });
    expect(status.conditions).toEqual([expect.objectContaining({ type: 'Ready', status: 'True' })]);
  });
  describe('delivery: agent', () => {
    const withContact = (lastContact: string) => ({
      ...target('prod-eu', 'prod', { agent: {} }),
      status: { agent: { lastContact, version: '0.1.0' } },
    });
    const ready = (t: Parameters<typeof planTarget>[0]['target']) =>
      planTarget({ target: t, environments: new Set(['prod']), now, agentSilenceMs: 5 * 60_000 })
        .conditions![0];
    test('not Ready before an agent has polled', () => {
      expect(ready(target('prod-eu', 'prod', { agent: {} }))).toMatchObject({
        status: 'False',
        reason: 'AgentNotConnected',
      });
    });
    test('Ready while the agent polls; its contact is kept in status', () => {
      const t = withContact('2026-11-20T11:58:00Z');
      expect(ready(t)).toMatchObject({
        status: 'True',
        reason: 'AgentConnected',
        message: 'depot agent 0.1.0 polls this target',
      });
      expect(planTarget({ target: t, environments: new Set(['prod']), now }).agent).toEqual(t.status.agent);
      // Looked at again just after the silence would begin.
      expect(agentRecheckAfterMs(t, now, 5 * 60_000)).toBe(3 * 60_000 + 1_000);
    });
    test('not Ready after the silence, with the message naming it', () => {
      expect(ready(withContact('2026-11-20T11:54:59Z'))).toMatchObject({
        status: 'False',
        reason: 'AgentSilent',
        message: 'no contact from agent for 5m (last contact 2026-11-20T11:54:59Z, agent 0.1.0)',
      });
      expect(agentRecheckAfterMs(withContact('2026-11-20T11:54:59Z'), now, 5 * 60_000)).toBeUndefined();
    });
  });
  test('not Ready, naming the field, when it does not', () => {
    const status = planTarget({ target: target('prod-eu', 'prd'), environments: new Set(['prod']), now });
    expect(status.conditions![0]).toMatchObject({
      status: 'False',
      reason: 'EnvironmentNotFound',
      message: 'spec.environment: Environment "prd" does not exist in namespace ns',
    });
  });
});

describe('EnvironmentSet status', () => {
  test('names every missing environment by index', () => {
    const status = planEnvironmentSet({
      set: set('default', ['dev', 'qa', 'prd']),
      environments: new Set(['dev']),
      now,
    });
    expect(status.conditions![0]).toMatchObject({
      status: 'False',
      message:
        'spec.environments[1]: Environment "qa" does not exist; spec.environments[2]: Environment "prd" does not exist',
    });
    const ok = planEnvironmentSet({ set: set('default', ['dev']), environments: new Set(['dev']), now });
    expect(ok.conditions![0]).toMatchObject({ status: 'True', message: 'dev' });
  });
});
