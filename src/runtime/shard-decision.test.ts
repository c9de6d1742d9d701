import { decideShard, shardOf, type ShardObservation } from './shard-decision.js';
import { shardFencedNamespace, shardLeaderElection } from './shard-fence.js';

const base: ShardObservation = {
  shard: 'a',
  wanted: 'a',
  holder: undefined,
  holderAlive: false,
  state: undefined,
  inFlight: 0,
};
const decide = (o: Partial<ShardObservation>) => decideShard({ ...base, ...o });

test('a namespace with no shard label belongs to the default shard', () => {
  expect(shardOf(undefined)).toBe('default');
  expect(shardOf({ other: 'x' })).toBe('default');
  expect(shardOf({ 'depot.sh/shard': 'b' })).toBe('b');
});

test('the chosen shard creates a missing Lease, takes a released one or one whose holder shard has no leader', () => {
  expect(decide({})).toEqual({ kind: 'create' });
  expect(decide({ holder: '' })).toEqual({ kind: 'acquire', from: '' });
  expect(decide({ holder: 'b', holderAlive: false })).toEqual({ kind: 'acquire', from: 'b' });
});

test('it waits while another live shard holds the Lease (that shard drains first)', () => {
  expect(decide({ holder: 'b', holderAlive: true })).toEqual({ kind: 'none', state: undefined });
});

test('a shard not chosen leaves the Lease alone, whoever holds it', () => {
  expect(decide({ wanted: 'b', holder: '' })).toEqual({ kind: 'none', state: undefined });
  expect(decide({ wanted: 'b', holder: undefined })).toEqual({ kind: 'none', state: undefined });
  expect(decide({ wanted: 'b', holder: 'c', holderAlive: false })).toEqual({
    kind: 'none',
    state: undefined,
  });
});

test('the holder keeps a namespace its label still chooses', () => {
  expect(decide({ holder: 'a' })).toEqual({ kind: 'none', state: 'owned' });
  expect(decide({ holder: 'a', state: 'owned', inFlight: 3 })).toEqual({ kind: 'none', state: 'owned' });
});

test('relabelled away: drain first, release only once no reconcile of it runs', () => {
  expect(decide({ wanted: 'b', holder: 'a', state: 'owned' })).toEqual({ kind: 'drain' });
  expect(decide({ wanted: 'b', holder: 'a', state: undefined })).toEqual({ kind: 'drain' });
  expect(decide({ wanted: 'b', holder: 'a', state: 'draining', inFlight: 1 })).toEqual({
    kind: 'wait-drain',
  });
  expect(decide({ wanted: 'b', holder: 'a', state: 'draining', inFlight: 0 })).toEqual({ kind: 'release' });
  expect(decide({ wanted: undefined, holder: 'a', state: 'draining' })).toEqual({ kind: 'release' });
});

test('relabelled back while releasing: the release finishes, then the Lease is taken again', () => {
  expect(decide({ wanted: 'a', holder: 'a', state: 'released' })).toEqual({ kind: 'release' });
  expect(decide({ wanted: 'a', holder: '' })).toEqual({ kind: 'acquire', from: '' });
});

test("the shard fence checks Depot's objects and their Events by the namespace of the path, nothing else", () => {
  expect(
    shardFencedNamespace('https://h/apis/depot.sh/v1alpha1/namespaces/team-a/applications/x/status'),
  ).toBe('team-a');
  expect(shardFencedNamespace('https://h/apis/events.k8s.io/v1/namespaces/team-a/events')).toBe('team-a');
  expect(shardFencedNamespace('https://h/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/x')).toBe(
    undefined,
  );
  expect(shardFencedNamespace('https://h/apis/coordination.k8s.io/v1/namespaces/ops/leases/l')).toBe(
    undefined,
  );
  expect(shardFencedNamespace('https://h/api/v1/namespaces/x/secrets/s')).toBe(undefined);
});

test("a shard's leader Lease carries its name; without shards the Lease is unchanged", () => {
  expect(shardLeaderElection({ leaseName: 'depot-operator' }, 'b').leaseName).toBe('depot-operator-b');
  expect(shardLeaderElection({ leaseName: 'depot-operator' }, undefined).leaseName).toBe('depot-operator');
});
