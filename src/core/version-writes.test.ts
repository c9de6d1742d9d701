import { deployedReport, versionRequest } from './version-writes.js';
import { app } from './testing/builders.js';

describe('version writes, built once', () => {
  test('a request is a guarded apply of one environment with the writer’s own field manager', () => {
    const write = versionRequest({
      application: 'core',
      namespace: 'ns',
      env: 'prod',
      version: '1.2.0',
      writer: { kind: 'set-version', user: 'alice' },
      force: true,
      resourceVersion: '42',
    });
    expect(write.fieldManager).toBe('depot-cli.prod.alice');
    expect(write.body).toEqual({
      apiVersion: 'depot.sh/v1alpha1',
      kind: 'Application',
      metadata: {
        name: 'core',
        namespace: 'ns',
        resourceVersion: '42',
        annotations: { 'force.depot.sh/prod': '1.2.0' },
      },
      spec: { versions: { prod: '1.2.0' } },
    });
    const promo = versionRequest({
      application: 'core',
      namespace: 'ns',
      env: 'prod',
      version: '1.2.0',
      writer: { kind: 'promotion', promotion: 'staging-to-prod' },
    });
    expect(promo.fieldManager).toBe('depot-promotion.staging-to-prod.prod');
    expect(promo.body.metadata).toEqual({ name: 'core', namespace: 'ns' });
  });

  test('a deployed report names an unknown target with the known ones', () => {
    const a = app(
      'core',
      {},
      {
        status: { targets: [{ name: 'prod-eu', environment: 'prod', desired: '1.0.0' }] },
      },
    );
    a.metadata.resourceVersion = '7';
    expect(deployedReport(a, 'prod-us', '1.0.0', 'ci', new Date(0))).toEqual({
      ok: false,
      message: 'prod-us is not a target of core (targets: prod-eu)',
    });
    const ok = deployedReport(a, 'prod-eu', '1.0.0', 'ci', new Date(0));
    expect(ok).toEqual({
      ok: true,
      fieldManager: 'depot-cli.deployed.ci',
      patch: {
        metadata: { resourceVersion: '7' },
        status: {
          targets: [
            {
              name: 'prod-eu',
              environment: 'prod',
              desired: '1.0.0',
              deployed: '1.0.0',
              deployedAt: '1970-01-01T00:00:00.000Z',
            },
          ],
        },
      },
    });
  });
});
