import type { OperatorFigures } from '../operator-metrics.js';
import { parseOptions } from '../options.js';
import { selectScenarios } from '../scenario.js';
import { scenarios } from '../scenarios/index.js';
import { scaleOutApps } from '../scenarios/scale-out.js';
import {
  byShard,
  interleaved,
  lastConvergedS,
  scaleOutLayout,
  shardCost,
  sumFigures,
} from '../scale-out-layout.js';

test('20,000 Applications over 40 namespaces and 2 shards: 500 each, 20 namespaces per shard, names unique', () => {
  const plans = scaleOutLayout(20_000, 40, ['a', 'b']);
  expect(plans).toHaveLength(40);
  expect(plans.every((p) => p.apps.length === 500)).toBe(true);
  expect(plans[0]).toMatchObject({ namespace: 'team-00', shard: 'a' });
  expect(plans[0]!.apps[0]).toBe('app-00001');
  expect(plans[19]).toMatchObject({ namespace: 'team-19', shard: 'a' });
  expect(plans[20]).toMatchObject({ namespace: 'team-20', shard: 'b' });
  expect(plans[39]!.apps.at(-1)).toBe('app-20000');
  expect(new Set(plans.flatMap((p) => p.apps)).size).toBe(20_000);
  const shards = byShard(plans);
  expect([...shards.keys()]).toEqual(['a', 'b']);
  expect(shards.get('a')!.namespaces).toHaveLength(20);
  expect(shards.get('b')!.apps).toHaveLength(10_000);
});

test('an uneven split gives the first namespaces one more; one shard holds them all', () => {
  const plans = scaleOutLayout(7, 3, ['all']);
  expect(plans.map((p) => p.apps.length)).toEqual([3, 2, 2]);
  expect(plans.map((p) => p.shard)).toEqual(['all', 'all', 'all']);
  expect(scaleOutLayout(10, 3, ['a', 'b', 'c']).map((p) => p.shard)).toEqual(['a', 'b', 'c']);
});

test('refuses layouts that cannot be made', () => {
  expect(() => scaleOutLayout(10, 0, ['a'])).toThrow('namespaces 0: must be > 0');
  expect(() => scaleOutLayout(10, 2, ['a', 'b', 'c'])).toThrow('3 shards for 2 namespaces');
  expect(() => scaleOutLayout(10, 2, [])).toThrow('0 shards for 2 namespaces');
});

test('interleaved takes each namespace in turn, so both shards are changed at the same rate', () => {
  const plans = scaleOutLayout(5, 2, ['a', 'b']);
  expect(plans.map((p) => p.apps)).toEqual([
    ['app-00001', 'app-00002', 'app-00003'],
    ['app-00004', 'app-00005'],
  ]);
  expect(interleaved(plans)).toEqual(['app-00001', 'app-00004', 'app-00002', 'app-00005', 'app-00003']);
  expect(interleaved([])).toEqual([]);
});

test('lastConvergedS: the last of the names, or null when one never converged', () => {
  const times = new Map([
    ['x', 1_500],
    ['y', 3_250],
    ['z', 9_999],
  ]);
  expect(lastConvergedS(['x', 'y'], times, 1_000)).toBe(2.25);
  expect(lastConvergedS(['x', 'w'], times, 1_000)).toBeNull();
  expect(lastConvergedS([], times, 1_000)).toBe(0);
});

const figures = (n: number): OperatorFigures => ({
  api_requests: { patch: 10 * n, create: n },
  lease_requests: n,
  api_conflicts: 0,
  api_throttled: 0,
  rate_limiter_wait_s: 0.5 * n,
  reconciles: { application: 10 * n, ...(n > 1 ? { target: n } : {}) },
  reconcile_errors: 0,
  workqueue_retries: n,
  events: { created: n },
});

test('sumFigures adds two shards key by key, keys only one of them has included', () => {
  expect(sumFigures([figures(1), figures(2)])).toEqual({
    api_requests: { patch: 30, create: 3 },
    lease_requests: 3,
    api_conflicts: 0,
    api_throttled: 0,
    rate_limiter_wait_s: 1.5,
    reconciles: { application: 30, target: 2 },
    reconcile_errors: 0,
    workqueue_retries: 3,
    events: { created: 3 },
  });
  expect(sumFigures([])).toBeUndefined();
});

test('shardCost divides one shard’s own requests, reconciles and CPU by the applications it changed', () => {
  expect(shardCost(10, 125, figures(2))).toEqual({
    changed_apps: 10,
    requests_by_verb: { patch: 2, create: 0.2 },
    reconciles: { total: 2.2, by_controller: { application: 2, target: 0.2 } },
    cpu_ms: 12.5,
  });
  expect(shardCost(0, 125, figures(2))).toBeNull();
  expect(shardCost(10, undefined, undefined)).toBeNull();
  expect(shardCost(10, undefined, figures(1))).not.toHaveProperty('cpu_ms');
});

test('scale_out_20k: 20 × --apps Applications, in a full run and with --only, never in --quick', () => {
  const keys = scenarios.map((s) => s.key);
  const selected = (argv: string[]) => {
    const opts = parseOptions(argv, keys);
    if (opts === 'help') throw new Error('help');
    return selectScenarios(scenarios, opts).map((s) => s.key);
  };
  expect(scaleOutApps(1000)).toBe(20_000);
  expect(selected([])).toContain('scale_out_20k');
  expect(selected(['--quick'])).not.toContain('scale_out_20k');
  expect(selected(['--only', 'scale_out_20k', '--apps', '10'])).toEqual(['scale_out_20k']);
});
