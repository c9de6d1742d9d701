import type { Application } from '../api/application.js';
import {
  deliveryKind,
  effectiveDelivery,
  expandTemplate,
  publishedState,
  templateValues,
} from './delivery.js';
import { app, target } from './testing/builders.js';

const argocd = target('prod-argocd', 'prod', {
  argocd: {
    applicationNamespace: 'argocd',
    applicationName: '${application}-${environment}',
    set: { targetRevision: {} },
  },
});

describe('delivery settings', () => {
  test('the kind is the one method set; none by default', () => {
    expect(deliveryKind(argocd)).toBe('argocd');
    expect(deliveryKind(target('t', 'dev'))).toBe('none');
    expect(deliveryKind(target('t', 'dev', { agent: {} }))).toBe('agent');
  });

  test("an Application's override of the same kind replaces the fields it sets", () => {
    const a = app('ide', { targets: { 'prod-argocd': { argocd: { applicationName: 'pachyderm-ide' } } } });
    expect(effectiveDelivery(argocd, a)).toEqual({
      argocd: {
        applicationNamespace: 'argocd',
        applicationName: 'pachyderm-ide',
        set: { targetRevision: {} },
      },
    });
  });

  test('an override of another kind does not apply', () => {
    const a = app('ide', {
      targets: { 'prod-argocd': { flux: { patch: { name: 'x' } } } },
    } as Partial<Application['spec']>);
    expect(effectiveDelivery(argocd, a)).toEqual(argocd.spec.delivery);
  });

  test('templates expand the four variables', () => {
    const values = templateValues(app('core'), 'prod', argocd);
    expect(expandTemplate('${application}-${environment}/${target}@${namespace}', values)).toBe(
      'core-prod/prod-argocd@ns',
    );
    expect(() => expandTemplate('${cluster}', values)).toThrow('unknown template variable ${cluster}');
  });

  test('published state: none delivers at once, others wait for their integration, unchanged keeps', () => {
    const now = new Date('2026-11-20T12:00:00Z');
    expect(publishedState('none', '1.0.0', undefined, now)).toMatchObject({ state: 'Delivered' });
    expect(publishedState('argocd', '1.0.0', undefined, now)).toMatchObject({
      state: 'Pending',
      attempts: 0,
    });
    const kept = { state: 'Failed' as const, message: 'x' };
    expect(publishedState('argocd', '1.0.0', { desired: '1.0.0', delivery: kept }, now)).toBe(kept);
    expect(publishedState('none', undefined, undefined, now)).toMatchObject({ state: 'Pending' });
  });
  test('an agent target is Delivered once the agent reports the desired version deployed', () => {
    const now = new Date('2026-11-20T12:00:00Z');
    const waiting = publishedState('agent', '1.1.0', { desired: '1.0.0', deployed: '1.0.0' }, now);
    expect(waiting).toMatchObject({ state: 'Pending', message: 'waiting for agent delivery of 1.1.0' });
    const pending = { desired: '1.1.0', deployed: '1.0.0', delivery: waiting };
    expect(publishedState('agent', '1.1.0', pending, now)).toBe(waiting);
    const done = publishedState('agent', '1.1.0', { ...pending, deployed: '1.1.0' }, now);
    expect(done).toMatchObject({ state: 'Delivered', message: 'the depot agent reports 1.1.0 deployed' });
    expect(
      publishedState('agent', '1.1.0', { desired: '1.1.0', deployed: '1.1.0', delivery: done }, now),
    ).toBe(done);
    const silent = {
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'False' as const,
            reason: 'AgentSilent',
            message: 'no contact from agent for 5m (last contact 2026-11-20T11:50:00Z)',
            lastTransitionTime: '2026-11-20T11:55:00Z',
          },
        ],
      },
    };
    expect(publishedState('agent', '1.1.0', pending, now, silent)).toEqual({
      state: 'Failed',
      message: '1.1.0 not delivered: no contact from agent for 5m (last contact 2026-11-20T11:50:00Z)',
    });
    // What was delivered stays delivered when the agent goes silent.
    const delivered = { desired: '1.1.0', deployed: '1.1.0', delivery: done };
    expect(publishedState('agent', '1.1.0', delivered, now, silent)).toBe(done);
  });
});
