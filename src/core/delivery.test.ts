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
});
