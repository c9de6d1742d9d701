import type { Application } from '../../api/application.js';
import { cellFor, renderVersionTable } from './version-table.js';

function app(desired: string, deployed: string): Application {
  return {
    apiVersion: 'depot.sh/v1alpha1',
    kind: 'Application',
    metadata: { name: 'core' },
    spec: { versionScheme: 'semver' },
    status: {
      environments: [{ name: 'prod', desired, blocked: null }],
      targets: [{ name: 'prod-eu', environment: 'prod', desired, deployed }],
    },
  } as Application;
}

describe('drift marks use the one version equality', () => {
  test('a leading v is the same version: no drift', () => {
    expect(cellFor(app('1.2.3', 'v1.2.3'), 'prod')).toBe('1.2.3');
  });
  test('another build is drift', () => {
    expect(cellFor(app('1.2.3+b2', '1.2.3+b1'), 'prod')).toBe('1.2.3+b2 drift: prod-eu=1.2.3+b1');
  });
});

describe('-o wide shows the compatibility matrix', () => {
  test('each cell says whether the rules of its version hold in its environment', () => {
    const core = app('1.11.3', '1.11.3');
    const dash = {
      ...app('2.0.0', '2.0.0'),
      metadata: { name: 'dash' },
      spec: {
        versionScheme: 'semver',
        compatibility: [{ when: '>=2.0.0', requires: { application: 'core', versions: '>=1.12.0 <2.0.0' } }],
      },
    } as Application;
    const table = renderVersionTable([core, dash], { wide: true });
    expect(table).toContain('rules hold');
    expect(table).toContain('breaks: dash 2.0.0 requires core >=1.12.0 <2.0.0; prod runs core 1.11.3');
    expect(renderVersionTable([core, dash])).not.toContain('rules hold');
  });
});
