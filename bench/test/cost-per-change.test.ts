import { changedApplications, costPerChange } from '../cost-per-change.js';
import { GateCallTally } from '../gate-server.js';
import { cpuPerChange, reconcilesPerChange, requestsPerChange } from '../results-table.js';

/** A converge_1k result as run.ts has it: 1,000 changes, the measured requests, CPU and metrics. */
const converge = {
  requests_written: 1000,
  api_requests: {
    operator_requests: { PATCH: 1000, POST: 130, GET: 4, LIST: 2 },
  },
  cpu: { operator_s: 6.9, operator_ms: 6934 },
  operator_metrics: {
    reconciles: { application: 2000, promotion: 3 },
    events: { created: 600, dropped: 2400 },
  },
};

test('divides the operator requests (writes and reads by verb), reconciles, CPU and Events by the changed applications', () => {
  expect(costPerChange('converge_1k', converge)).toEqual({
    changed_apps: 1000,
    requests: {
      writes: 1.13,
      reads: 0.006,
      writes_by_verb: { PATCH: 1, POST: 0.13 },
      reads_by_verb: { GET: 0.004, LIST: 0.002 },
    },
    reconciles: { total: 2.003, by_controller: { application: 2, promotion: 0.003 } },
    cpu_ms: 6.934,
    events: { created: 0.6, dropped: 2.4 },
  });
});

test('the changed applications per scenario; none for the scenarios that change nothing', () => {
  expect(changedApplications('latency_single', { apps: 1000, changes_requested: 100 })).toBe(100);
  expect(changedApplications('promotion_1k_gated', { promoted: { apps: 1000, converged_apps: 990 } })).toBe(
    1000,
  );
  expect(changedApplications('create_1k', { apps: 1000, created_apps: 998 })).toBe(998);
  // A new scenario says it itself.
  expect(changedApplications('scale_out_20k', { changed_apps: 20000 })).toBe(20000);
  expect(changedApplications('idle_writes', { apps: 1000 })).toBeUndefined();
  expect(
    costPerChange('restart_1k', { apps: 1000, api_requests: { operator_requests: {} } }),
  ).toBeUndefined();
  // No operator (baseline_1k) or an old results file: nothing to divide.
  expect(costPerChange('converge_1k', { requests_written: 1000, api_requests: {} })).toBeUndefined();
});

test('the table cells of the cost per change', () => {
  const c = costPerChange('converge_1k', converge);
  expect(requestsPerChange(c)).toBe('1.13 writes (PATCH 1, POST 0.13); 0.006 reads (GET 0.004, LIST 0.002)');
  expect(reconcilesPerChange(c)).toBe('2.003 (application 2, promotion 0.003)');
  expect(cpuPerChange(c)).toBe('6.934 ms');
  expect([requestsPerChange(undefined), reconcilesPerChange(undefined), cpuPerChange(undefined)]).toEqual([
    '—',
    '—',
    '—',
  ]);
});

test('gate calls are tallied per application and version at the server', () => {
  const t = new GateCallTally();
  const body = (application: string, version: string) =>
    JSON.stringify({ application, version, from: 'dev' });
  t.add(body('app-1', '1.2.0'));
  t.add(body('app-2', '1.2.0'));
  t.add(body('app-2', '1.2.0'));
  t.add(body('app-2', '1.3.0'));
  t.add('not json');
  expect(t.summary()).toEqual({
    calls: 5,
    candidates: 3,
    max_calls_per_candidate: 2,
    candidates_asked_again: 1,
    malformed: 1,
  });
});
