import { planEnvironmentSet } from './environment-set.js';
import { planTarget } from './target.js';
import { set, target } from './testing/builders.js';

const now = new Date('2026-11-20T12:00:00Z');

describe('Target status', () => {
  test('Ready with its delivery kind when the Environment exists', () => {
    const status = planTarget({
      target: target('prod-eu', 'prod', { agent: {} }),
      environments: new Set(['prod']),
      now,
    });
    expect(status).toMatchObject({ observedGeneration: 1, deliveryKind: 'agent' });
    expect(status.conditions).toEqual([expect.objectContaining({ type: 'Ready', status: 'True' })]);
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
