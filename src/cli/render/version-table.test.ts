import type { Application } from '../../api/application.js';
import { cellFor } from './version-table.js';

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
