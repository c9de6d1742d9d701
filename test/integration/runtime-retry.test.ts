// A reconcile that throws is retried with growing delays (per key, reset by
// a success) and shows in /metrics; other keys keep being reconciled.

import { eventually } from '../kit/eventually.js';
import { ConfigMaps } from '../../src/kube/resource.js';
import { scrape, sum } from '../kit/metrics-text.js';
import { probeRun } from '../kit/probe-manager.js';
import type { LogLine } from '../kit/probe-process.js';
import { inputConfigMap, outputs, setInput } from '../kit/test-client.js';

const run = probeRun('retry', { retryBackoff: { baseMs: 200, maxMs: 10_000 } });

const failures = (name: string): LogLine[] =>
  run.probe.logs().filter((l) => l.key === `${run.ns}/${name}` && l.msg === 'reconcile failed; will retry');

test('a failing reconcile is retried with growing delays, shows in /metrics, and backs off anew after a success', async () => {
  await run.tc.client.create(ConfigMaps, inputConfigMap(run.ns, 'flaky', 'fail-1'));
  await run.tc.client.create(ConfigMaps, inputConfigMap(run.ns, 'healthy', 'fine'));

  await eventually('5 failed attempts', async () => failures('flaky').length >= 5, 60_000);
  const first = failures('flaky').slice(0, 5);
  // The delay announced after each failure doubles from the base...
  expect(first.map((l) => l.retryInMs)).toEqual([200, 400, 800, 1600, 3200]);
  // ...and the next attempt really waited at least that long (a lower bound, never a tight timing).
  for (let i = 1; i < first.length; i++) {
    const gap = Date.parse(first[i]!.time) - Date.parse(first[i - 1]!.time);
    expect(gap).toBeGreaterThanOrEqual((first[i - 1]!.retryInMs as number) - 20);
  }
  // The failing key does not hold up the others.
  expect((await outputs(run.tc.client, run.ns)).healthy?.output).toBe('fine');

  const metrics = await scrape(run.probe.url);
  expect(sum(metrics, 'depot_reconcile_errors_total', { controller: 'probe' })).toBeGreaterThanOrEqual(5);
  expect(
    sum(metrics, 'depot_reconcile_total', { controller: 'probe', result: 'error' }),
  ).toBeGreaterThanOrEqual(5);
  expect(sum(metrics, 'depot_workqueue_retries_total', { name: 'probe' })).toBeGreaterThanOrEqual(5);
  expect(
    sum(metrics, 'depot_reconcile_duration_seconds_count', { controller: 'probe' }),
  ).toBeGreaterThanOrEqual(6);

  // Fixed input: the change is reconciled at once (an event beats the backoff) and succeeds.
  await setInput(run.tc.client, run.ns, 'flaky', 'fixed');
  await eventually(
    'the fixed output',
    async () => (await outputs(run.tc.client, run.ns)).flaky?.output === 'fixed',
  );
  const errorsAfterFix = sum(await scrape(run.probe.url), 'depot_reconcile_errors_total', {
    controller: 'probe',
  });

  // Failing again starts from the base delay: the success reset the backoff.
  const before = failures('flaky').length;
  await setInput(run.tc.client, run.ns, 'flaky', 'fail-2');
  await eventually('2 new failures', async () => failures('flaky').length >= before + 2);
  expect(
    failures('flaky')
      .slice(before, before + 2)
      .map((l) => l.retryInMs),
  ).toEqual([200, 400]);
  expect(
    sum(await scrape(run.probe.url), 'depot_reconcile_errors_total', { controller: 'probe' }),
  ).toBeGreaterThan(errorsAfterFix);
}, 120_000);
