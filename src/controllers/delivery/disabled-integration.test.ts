// An integration switched off (--integrations): its Targets are Blocked with
// a message that says how to turn it on, and the operator neither reads nor
// writes that integration's objects.
import type { Application } from '../../api/application.js';
import { Applications, Environments, EnvironmentSets, Targets } from '../../api/resources.js';
import type { KubeObject } from '../../kube/resource.js';
import { createLogger } from '../../runtime/log.js';
import { MemoryCluster } from '../../runtime/testing/memory-cluster.js';
import { memoryDeps } from '../../runtime/testing/memory-deps.js';
import { applicationController } from '../application.js';
import { deliveryDefaults } from './tracker.js';
import { deliverySettingsDefaults } from './registry.js';
import { stored } from '../../core/testing/builders.js';

const ns = 'team';
const obj = stored;

async function deliveryWith(integrations: ('argocd' | 'flux')[]) {
  const cluster = new MemoryCluster();
  cluster.add(Environments, obj('Environment', 'dev', {}));
  cluster.add(EnvironmentSets, obj('EnvironmentSet', 'default', { environments: ['dev'] }));
  cluster.add(Targets, obj('Target', 'dev-argocd', { environment: 'dev', delivery: { argocd: {} } }));
  cluster.add(
    Applications,
    obj('Application', 'core', { environmentSets: ['default'], versions: { dev: '1.0.0' } }),
  );
  const controller = applicationController(memoryDeps(cluster), {
    historyLimit: 100,
    audit: { record: () => undefined },
    deliverySettings: { ...deliverySettingsDefaults, integrations },
    delivery: { ...deliveryDefaults, inlineWaitMs: 1000 },
  });
  await controller.reconciler.reconcile(
    { namespace: ns, name: 'core' },
    { log: createLogger({ level: 'silent' }), signal: new AbortController().signal },
  );
  const app = cluster.get<Application & KubeObject>(Applications, ns, 'core')!;
  return { cluster, delivery: app.status?.targets?.find((t) => t.name === 'dev-argocd')?.delivery };
}

test('a Target of a switched-off integration is Blocked, with nothing read or written in Argo CD', async () => {
  const { cluster, delivery } = await deliveryWith(['flux']);
  expect(delivery).toMatchObject({
    state: 'Blocked',
    message:
      '1.0.0 not delivered: the argocd integration is off in this operator (depot operator --integrations; the Helm value integrations.argocd)',
  });
  expect(cluster.writes.map((w) => `${w.verb} ${w.resource}/${w.subresource}`)).toEqual([
    'patch applications/status',
  ]);
  expect(cluster.informedGroups()).not.toContain('argoproj.io');
});

test('with the integration on, the same Target is worked on by Argo CD delivery', async () => {
  const { cluster, delivery } = await deliveryWith(['argocd', 'flux']);
  expect(cluster.informedGroups()).toContain('argoproj.io');
  // No Argo CD Application exists in this cluster: the real integration says so.
  expect(delivery?.state).not.toBe('Blocked');
  expect(delivery?.message).toMatch(/Argo CD Application/);
});
