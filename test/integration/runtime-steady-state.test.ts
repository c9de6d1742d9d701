// At steady state a periodic resync reconciles everything again and writes
// nothing. Also: status written only when it changes, invalid objects
// reported on themselves and skipped, secondary watches re-queue primaries,
// Events created once per transition.
import { EventsV1Api } from '@kubernetes/client-node';
import { testKubeConfig } from '../controlplane/env.js';
import { eventually } from '../kit/eventually.js';
import { ConfigMaps, type KubeObject } from '../../src/kube/resource.js';
import type { Condition } from '../../src/api/conditions.js';
import { scrape, sum, writeRequests } from '../kit/metrics-text.js';
import { probeLabel } from '../kit/probe-controllers.js';
import { probeRun } from '../kit/probe-manager.js';
import { Probes } from '../kit/probe-resources.js';
import { inputConfigMap, outputs } from '../kit/test-client.js';

const kc = testKubeConfig();

interface ProbeObject extends KubeObject {
  status?: { output?: string; observedGeneration?: number; conditions?: Condition[] };
}

const probeObject = (name: string, input: unknown): KubeObject => ({
  apiVersion: 'probe.depot.sh/v1',
  kind: 'Probe',
  metadata: { namespace: run.ns, name },
  spec: { input },
});

const ready = (p: ProbeObject | undefined) => p?.status?.conditions?.find((c) => c.type === 'Ready');

const run = probeRun('steady', { crd: true, resyncPeriodMs: 1_000 });

test('objects are reconciled; an invalid one is reported as a condition and skipped', async () => {
  for (const i of [1, 2, 3])
    await run.tc.client.create(ConfigMaps, inputConfigMap(run.ns, `cm${i}`, `v${i}`));
  await run.tc.client.create(ConfigMaps, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { namespace: run.ns, name: 'probe-config', labels: { [probeLabel]: 'config' } },
    data: { suffix: '-a' },
  });
  await run.tc.client.create(Probes, probeObject('good', 'hello'));
  await run.tc.client.create(Probes, probeObject('bad', 42));

  await eventually('ConfigMap outputs', async () => {
    const o = await outputs(run.tc.client, run.ns);
    return [1, 2, 3].every((i) => o[`cm${i}`]?.output === `v${i}-a`);
  });
  const good = await eventually('the good Probe reconciled', async () => {
    const p = await run.tc.client.get<ProbeObject>(Probes, run.ns, 'good');
    return p?.status?.output === 'HELLO' ? p : undefined;
  });
  expect(ready(good)).toMatchObject({ status: 'True', reason: 'Reconciled', observedGeneration: 1 });
  const bad = await eventually('the bad Probe reported', async () => {
    const p = await run.tc.client.get<ProbeObject>(Probes, run.ns, 'bad');
    return ready(p) ? p : undefined;
  });
  expect(ready(bad)).toMatchObject({ status: 'False', reason: 'InvalidSpec', observedGeneration: 1 });
  expect(ready(bad)?.message).toMatch(/^spec\.input: /);
  expect(bad.status?.output).toBeUndefined();

  const events = kc.makeApiClient(EventsV1Api);
  await eventually('one Warning Event on the bad Probe', async () => {
    const list = await events.listNamespacedEvent({ namespace: run.ns });
    return list.items.some(
      (e) => e.regarding?.name === 'bad' && e.type === 'Warning' && e.reason === 'InvalidSpec',
    );
  });
});

test('a periodic resync at steady state reconciles everything again and writes nothing', async () => {
  // Let the writes of the first test settle (their own watch events re-reconcile once more).
  let previous = -1;
  await eventually(
    'writes to settle',
    async () => {
      const w = writeRequests(await scrape(run.probe.url));
      const settled = w === previous;
      previous = w;
      return settled;
    },
    30_000,
    1_500,
  );

  const before = await scrape(run.probe.url);
  const versions = async () => {
    const cms = await run.tc.client.list(ConfigMaps, { namespace: run.ns });
    const probes = await run.tc.client.list(Probes, { namespace: run.ns });
    return [...cms.items, ...probes.items]
      .map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`)
      .sort();
  };
  const versionsBefore = await versions();
  const reconcilesBefore = sum(before, 'depot_reconcile_total');
  // 6 primary objects (cm1-3 and two Probes... plus none else): 3 resyncs reconcile each at least 3 times.
  await eventually(
    'three resyncs',
    async () => sum(await scrape(run.probe.url), 'depot_reconcile_total') >= reconcilesBefore + 3 * 5,
    60_000,
  );

  const after = await scrape(run.probe.url);
  expect(writeRequests(after)).toBe(writeRequests(before));
  expect(sum(after, 'depot_events_total', { outcome: 'created' })).toBe(
    sum(before, 'depot_events_total', { outcome: 'created' }),
  );
  expect(await versions()).toEqual(versionsBefore);
  const events = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: run.ns });
  expect(events.items.filter((e) => e.regarding?.name === 'bad')).toHaveLength(1);
}, 120_000);

test('a change of a secondary object re-queues every primary it maps to', async () => {
  await run.tc.client.patch(
    ConfigMaps,
    run.ns,
    'probe-config',
    { data: { suffix: '-b' } },
    { type: 'merge' },
  );
  await eventually('every output to follow the new suffix', async () => {
    const o = await outputs(run.tc.client, run.ns);
    return [1, 2, 3].every((i) => o[`cm${i}`]?.output === `v${i}-b`);
  });
});

test('fixing an invalid object makes it Ready', async () => {
  await run.tc.client.patch(Probes, run.ns, 'bad', { spec: { input: 'now valid' } }, { type: 'merge' });
  const fixed = await eventually('the fixed Probe', async () => {
    const p = await run.tc.client.get<ProbeObject>(Probes, run.ns, 'bad');
    return p?.status?.output === 'NOW VALID' ? p : undefined;
  });
  expect(ready(fixed)).toMatchObject({ status: 'True', reason: 'Reconciled', observedGeneration: 2 });
});
