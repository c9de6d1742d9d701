// A status write the API server rejects as invalid (422) is a terminal
// failure: attempted once, logged once, reported as one Warning Event naming
// the field, counted, and never retried in a loop, not even by resyncs, until
// the object changes.
import { EventsV1Api } from '@kubernetes/client-node';
import { testKubeConfig } from '../controlplane/env.js';
import { eventually } from '../kit/eventually.js';
import type { KubeObject } from '../../src/kube/resource.js';
import { scrape, sum, type Sample } from '../kit/metrics-text.js';
import { probeRun } from '../kit/probe-manager.js';
import { PROBE_OUTPUT_MAX, Probes } from '../kit/probe-resources.js';

const kc = testKubeConfig();

const rejectedPatches = (s: Sample[]) =>
  sum(s, 'depot_api_requests_total', { verb: 'patch', resource: 'probes/status', code: '422' });
const reconciles = (s: Sample[], name: string) => sum(s, 'probe_reconciles_total', { kind: 'Probe', name });

// Resyncs every second: each one reconciles the object again.
const run = probeRun('terminal', { crd: true, resyncPeriodMs: 1_000 });

test('an invalid status write is attempted once, logged once, reported once and not requeued', async () => {
  const input = 'x'.repeat(PROBE_OUTPUT_MAX + 1); // the controller writes it upper-cased to status.output
  await run.tc.client.create(Probes, {
    apiVersion: 'probe.depot.sh/v1',
    kind: 'Probe',
    metadata: { namespace: run.ns, name: 'too-long' },
    spec: { input },
  });

  await eventually('the write to be rejected', async () => rejectedPatches(await scrape(run.probe.url)) >= 1);
  const first = await scrape(run.probe.url);
  // Three more resyncs reconcile the object again; none may send the write again.
  await eventually(
    'three more reconciles of the object',
    async () => reconciles(await scrape(run.probe.url), 'too-long') >= reconciles(first, 'too-long') + 3,
    60_000,
  );
  const after = await scrape(run.probe.url);

  expect(rejectedPatches(after)).toBe(1);
  expect(sum(after, 'depot_reconcile_terminal_errors_total', { controller: 'probe-cr' })).toBe(1);
  expect(sum(after, 'depot_reconcile_errors_total', { controller: 'probe-cr' })).toBe(0);
  expect(sum(after, 'depot_workqueue_retries_total', { name: 'probe-cr' })).toBe(0);

  const errors = run.probe.logs().filter((l) => l.level === 'error' && l.controller === 'probe-cr');
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatchObject({ msg: 'reconcile failed for good: not retried until the object changes' });
  expect(String(errors[0]!.err)).toContain(`status of Probe ${run.ns}/too-long`);
  expect(String(errors[0]!.err)).toContain('status.output');

  const stored = await run.tc.client.get<KubeObject>(Probes, run.ns, 'too-long');
  expect(stored?.status).toBeUndefined();

  const events = kc.makeApiClient(EventsV1Api);
  const warnings = await eventually('one Warning Event on the object', async () => {
    const list = await events.listNamespacedEvent({ namespace: run.ns });
    const mine = list.items.filter((e) => e.regarding?.name === 'too-long' && e.type === 'Warning');
    return mine.length > 0 ? mine : undefined;
  });
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatchObject({ reason: 'StatusRejected' });
  expect(warnings[0]!.note).toContain('status.output');
  expect(warnings[0]!.series).toBeUndefined(); // reported once, not a repeating series
}, 120_000);

test('once the object changes so that the status is valid, it is written', async () => {
  await run.tc.client.patch(Probes, run.ns, 'too-long', { spec: { input: 'short' } }, { type: 'merge' });
  const fixed = await eventually('the status to be written', async () => {
    const p = await run.tc.client.get<KubeObject & { status?: { output?: string } }>(
      Probes,
      run.ns,
      'too-long',
    );
    return p?.status?.output === 'SHORT' ? p : undefined;
  });
  expect(fixed.status?.output).toBe('SHORT');
});
