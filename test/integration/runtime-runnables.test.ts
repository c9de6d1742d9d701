// Runnables beside controllers: one that needs leadership runs only on the
// leader; one that does not (an HTTP API) runs on every replica, and its
// writes (made for a user) are not fenced by leadership.
import { CoreV1Api } from '@kubernetes/client-node';
import { ConfigMaps } from '../../src/kube/resource.js';
import { createLogger } from '../../src/runtime/log.js';
import { Manager } from '../../src/runtime/manager.js';
import type { Runnable } from '../../src/runtime/runnable.js';
import { NotLeaderError } from '../../src/runtime/writes.js';
import { freshNamespace, testKubeConfig } from '../controlplane/env.js';
import { eventually } from '../kit/eventually.js';

const kc = testKubeConfig();

function recorder(name: string, needLeaderElection: boolean, seen: string[]): Runnable {
  return {
    name,
    needLeaderElection,
    start: (signal) =>
      new Promise((resolve) => {
        seen.push(`${name} started`);
        signal.addEventListener('abort', () => {
          seen.push(`${name} stopped`);
          resolve();
        });
      }),
  };
}

test('leader-only runnables run on the leader; others on every replica, with unfenced writes', async () => {
  const ns = await freshNamespace(kc, 'runnables');
  const leaderElection = {
    leaseName: 'runnables',
    leaseNamespace: ns,
    leaseDurationMs: 6000,
    renewDeadlineMs: 4000,
    retryPeriodMs: 1000,
  };
  const make = (identity: string, seen: string[]) => {
    const m = new Manager({
      kubeConfig: kc,
      namespaces: [ns],
      identity,
      leaderElection,
      log: createLogger({ level: 'silent' }),
    });
    m.addRunnable(recorder('api', false, seen), recorder('loop', true, seen));
    return m;
  };
  const [a, b]: [string[], string[]] = [[], []];
  const first = make('first', a);
  await first.start();
  await eventually('first leads and runs both', async () => first.isLeader() && a.includes('loop started'));
  const second = make('second', b);
  await second.start();
  try {
    await eventually('the standby runs the API runnable', async () => b.includes('api started'));
    expect(second.isLeader()).toBe(false);
    expect(b).not.toContain('loop started');

    // The standby's ordinary writer is fenced; one made for a user is not.
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'from-standby', namespace: ns } };
    await expect(second.deps.writer('test').create(ConfigMaps, cm)).rejects.toBeInstanceOf(NotLeaderError);
    await second.deps.writer('test', { fenced: false }).create(ConfigMaps, cm);
    const read = await kc
      .makeApiClient(CoreV1Api)
      .readNamespacedConfigMap({ name: 'from-standby', namespace: ns });
    expect(read.metadata?.name).toBe('from-standby');
  } finally {
    await second.stop();
    await first.stop();
  }
  expect(a).toEqual(expect.arrayContaining(['api stopped', 'loop stopped']));
  expect(b).toEqual(['api started', 'api stopped']);
}, 60_000);
