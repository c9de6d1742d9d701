import type { Application } from '../../api/application.js';
import { Applications, EnvironmentSets, Environments } from '../../api/resources.js';
import { app, env, set } from '../../core/testing/builders.js';
import { MemoryCluster } from '../../runtime/testing/memory-cluster.js';
import { DashboardFeed } from './feed.js';

function feedOf(ringBatches: number) {
  const cluster = new MemoryCluster();
  cluster.add(Environments, env('dev'));
  cluster.add(EnvironmentSets, set('default', ['dev']));
  cluster.add(Applications, app('core', { versions: { dev: '1.0.0' } }));
  const feed = new DashboardFeed(cluster, { ringBatches });
  const bump = (version: string) => {
    const a = cluster.get<Application>(Applications, 'ns', 'core')!;
    cluster.add(Applications, { ...structuredClone(a), spec: { ...a.spec, versions: { dev: version } } });
    feed.flush();
  };
  return { cluster, feed, bump };
}

describe('DashboardFeed', () => {
  it('builds the first state from the caches and publishes a batch per flush with changes only', () => {
    const { feed, bump } = feedOf(10);
    expect(feed.namespaces()).toEqual(['ns']);
    expect(feed.seq).toBe(0);
    const seen: number[] = [];
    feed.subscribe((b) => seen.push(b.deltas.length));
    bump('1.1.0');
    feed.flush();
    expect(seen).toEqual([1]);
    expect(JSON.parse(feed.rowsOf('ns')[0]!)).toMatchObject({ cells: { dev: { requested: '1.1.0' } } });
  });

  it('resumes from an id it still holds, and not from one too old, of another epoch or from the future', () => {
    const { feed, bump } = feedOf(2);
    feed.namespaces();
    for (const v of ['1.1.0', '1.2.0', '1.3.0', '1.4.0']) bump(v);
    expect(feed.seq).toBe(4);
    expect(feed.since(feed.seqOf(feed.eventId(3))!)!.map((b) => b.seq)).toEqual([4]);
    expect(feed.since(feed.seqOf(feed.eventId(2))!)!.map((b) => b.seq)).toEqual([3, 4]);
    expect(feed.since(feed.seqOf(feed.eventId(1))!)).toBeUndefined();
    expect(feed.seqOf('0123abcd.3')).toBeUndefined();
    expect(feed.seqOf(feed.eventId(9))).toBeUndefined();
    expect(feed.since(4)).toEqual([]);
  });

  it('sends rowDeleted and namespaceDeleted when the objects go', () => {
    const { cluster, feed } = feedOf(10);
    feed.namespaces();
    const batches: string[][] = [];
    feed.subscribe((b) => batches.push(b.deltas.map((d) => JSON.parse(d.json).op as string)));
    (cluster.informer(Applications) as unknown as { remove(ns: string, n: string): void }).remove(
      'ns',
      'core',
    );
    feed.flush();
    (cluster.informer(Environments) as unknown as { remove(ns: string, n: string): void }).remove(
      'ns',
      'dev',
    );
    (cluster.informer(EnvironmentSets) as unknown as { remove(ns: string, n: string): void }).remove(
      'ns',
      'default',
    );
    feed.flush();
    expect(batches).toEqual([['rowDeleted'], ['namespaceDeleted']]);
    expect(feed.namespaces()).toEqual([]);
  });
});
