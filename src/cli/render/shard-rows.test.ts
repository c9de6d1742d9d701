import { heldPerShard, shardRows } from './shard-rows.js';

const ns = (name: string, shard?: string) => ({
  metadata: { name, ...(shard ? { labels: { 'depot.sh/shard': shard } } : {}) },
});
const lease = (namespace: string, holder: string) => ({
  metadata: { name: `depot-shard-${namespace}`, labels: { 'depot.sh/shard-lease': namespace } },
  spec: { holderIdentity: holder, acquireTime: '2026-12-07T10:00:00.000000Z' },
});

test('held, moving, released, waiting and deleted namespaces, and the count each shard holds', () => {
  const rows = shardRows(
    [ns('kube-system'), ns('team-a'), ns('team-b', 'b'), ns('team-c', 'b'), ns('team-d', 'b'), ns('team-e')],
    [
      lease('team-a', 'default'),
      lease('team-b', 'b'),
      lease('team-c', 'default'),
      lease('team-d', ''),
      lease('gone', 'b'),
    ],
  );
  expect(rows.map((r) => [r.namespace, r.shard, r.holder, r.state])).toEqual([
    ['gone', '-', 'b', 'deleted'],
    ['team-a', 'default', 'default', 'held'],
    ['team-b', 'b', 'b', 'held'],
    ['team-c', 'b', 'default', 'moving'],
    ['team-d', 'b', '', 'released'],
  ]);
  expect(heldPerShard(rows)).toEqual({ b: 2, default: 2 });
});

test('a labelled namespace without a Lease yet is waiting', () => {
  expect(shardRows([ns('team-x', 'x')], [])).toEqual([{ namespace: 'team-x', shard: 'x', state: 'waiting' }]);
});
