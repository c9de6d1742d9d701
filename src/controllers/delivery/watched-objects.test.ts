// The caches of delivered objects follow what the Applications deliver to:
// a namespace's informer is stopped once no Application delivers into it,
// and kept while any still does.
import type { DeliveryObject } from '../../core/delivery.js';
import { ArgoApplications } from '../../integrations/argocd/resource.js';
import { MemoryCluster } from '../../runtime/testing/memory-cluster.js';
import { watchKey, WatchedObjects } from './watched-objects.js';

const argo = (namespace: string, name: string): DeliveryObject => ({
  resource: ArgoApplications,
  namespace,
  name,
});
const app = (name: string) => ({ namespace: 'team', name });

function setup() {
  const cluster = new MemoryCluster();
  return { cluster, watched: new WatchedObjects(cluster) };
}

test('moving to another namespace stops the first namespace’s informer', () => {
  const { cluster, watched } = setup();
  watched.use(app('core'), [argo('argocd', 'core-dev')]);
  expect(cluster.released).toEqual([]);
  watched.use(app('core'), [argo('argocd-b', 'core-dev')]);
  expect(cluster.released).toEqual(['argoproj.io/applications argocd']);
});

test('moving to another object in the same namespace keeps its informer', () => {
  const { cluster, watched } = setup();
  watched.use(app('core'), [argo('argocd', 'core-dev')]);
  watched.use(app('core'), [argo('argocd', 'core-dev-2')]);
  expect(cluster.released).toEqual([]);
});

test('a namespace is released only when its last Application stops delivering there', () => {
  const { cluster, watched } = setup();
  watched.use(app('core'), [argo('argocd', 'core-dev')]);
  watched.use(app('dash'), [argo('argocd', 'dash-dev')]);
  watched.forget(app('core'));
  expect(cluster.released).toEqual([]);
  watched.use(app('dash'), []);
  expect(cluster.released).toEqual(['argoproj.io/applications argocd']);
  // Named again: a new informer, released again when unused.
  watched.use(app('ide'), [argo('argocd', 'ide-dev')]);
  watched.forget(app('ide'));
  expect(cluster.released).toEqual(['argoproj.io/applications argocd', 'argoproj.io/applications argocd']);
});

test('two Applications delivering to the same object share it until both are gone', () => {
  const { cluster, watched } = setup();
  watched.use(app('core'), [argo('argocd', 'shared')]);
  watched.use(app('dash'), [argo('argocd', 'shared')]);
  watched.forget(app('core'));
  expect(cluster.released).toEqual([]);
  watched.forget(app('dash'));
  expect(cluster.released).toHaveLength(1);
});

test('an informer a late read starts after its namespace was released is released by the next use', () => {
  const { cluster, watched } = setup();
  watched.use(app('core'), [argo('argocd', 'core-dev')]);
  watched.forget(app('core'));
  expect(cluster.released).toEqual(['argoproj.io/applications argocd']);
  // A delivery still in flight reads from the released namespace: a new informer, used by nobody.
  watched.read(ArgoApplications, 'argocd', 'core-dev');
  watched.use(app('dash'), [argo('argocd-b', 'dash-dev')]);
  expect(cluster.released).toEqual(['argoproj.io/applications argocd', 'argoproj.io/applications argocd']);
});

test('a read during a review, claimed by that review, is kept', () => {
  const { cluster, watched } = setup();
  watched.read(ArgoApplications, 'argocd', 'core-dev');
  watched.use(app('core'), [argo('argocd', 'core-dev')]);
  expect(cluster.released).toEqual([]);
});

describe('caps', () => {
  const limited = (perNamespace: number, total: number) => {
    const cluster = new MemoryCluster();
    const counted = { open: 0, refused: [] as string[] };
    const watched = new WatchedObjects(
      cluster,
      { perNamespace, total },
      { setOpen: (n) => (counted.open = n), refused: (limit) => counted.refused.push(limit) },
    );
    return { cluster, watched, counted };
  };
  const tenant = (namespace: string, name: string) => ({ namespace, name });

  test('the Applications of one namespace share its cap; another namespace has its own', () => {
    const { watched, counted } = limited(2, 10);
    expect(watched.use(tenant('team-a', 'core'), [argo('ns-1', 'x'), argo('ns-2', 'x')]).size).toBe(0);
    const refused = watched.use(tenant('team-a', 'dash'), [argo('ns-1', 'y'), argo('ns-3', 'y')]);
    expect([...refused]).toEqual([
      [
        watchKey(argo('ns-3', 'y')),
        'not watched: the Applications of namespace team-a already deliver to 2 kinds and namespaces, the most --max-delivery-watches-per-namespace allows; applications.argoproj.io in namespace ns-3 would be one more',
      ],
    ]);
    expect(watched.read(ArgoApplications, 'ns-3', 'y')).toEqual({ synced: false });
    expect(watched.use(tenant('team-b', 'core'), [argo('ns-3', 'z')]).size).toBe(0);
    expect(counted).toEqual({ open: 3, refused: ['per-namespace'] });
  });

  test('an application moving to another namespace is not counted twice', () => {
    const { watched } = limited(1, 10);
    watched.use(tenant('team-a', 'core'), [argo('ns-1', 'x')]);
    expect(watched.use(tenant('team-a', 'core'), [argo('ns-2', 'x')]).size).toBe(0);
  });

  test("a namespace's cap counts an informer while any of its Applications uses it", () => {
    const { watched } = limited(1, 10);
    watched.use(tenant('team-a', 'core'), [argo('ns-1', 'x')]);
    watched.use(tenant('team-a', 'dash'), [argo('ns-1', 'y')]);
    watched.forget(tenant('team-a', 'core'));
    expect(watched.use(tenant('team-a', 'api'), [argo('ns-2', 'z')]).size).toBe(1);
    watched.forget(tenant('team-a', 'dash'));
    expect(watched.use(tenant('team-a', 'api'), [argo('ns-2', 'z')]).size).toBe(0);
    expect(watched.use(tenant('team-a', 'api'), [argo('ns-2', 'z'), argo('ns-3', 'z')]).size).toBe(1);
  });

  test('the total cap refuses a new informer, not one already open', () => {
    const { cluster, watched, counted } = limited(10, 2);
    watched.use(tenant('a', 'core'), [argo('ns-1', 'x'), argo('ns-2', 'x')]);
    expect([...watched.use(tenant('b', 'core'), [argo('ns-2', 'y'), argo('ns-3', 'y')]).values()]).toEqual([
      'not watched: Depot already watches 2 kinds and namespaces for deliveries, the most --max-delivery-watches allows; applications.argoproj.io in namespace ns-3 would be one more',
    ]);
    expect(counted).toEqual({ open: 2, refused: ['total'] });
    // Once one is released, the refused one gets its watch.
    watched.forget(tenant('a', 'core'));
    expect(watched.use(tenant('b', 'core'), [argo('ns-2', 'y'), argo('ns-3', 'y')]).size).toBe(0);
    expect(cluster.released).toEqual(['argoproj.io/applications ns-1']);
  });

  test.each(['..', '.', '', 'a.b'])('the namespace "%s" is never watched', (ns) => {
    const { watched, counted } = limited(10, 10);
    expect([...watched.use(tenant('a', 'core'), [argo(ns, 'x')]).values()]).toEqual([
      expect.stringMatching(/^not watched: ".*" must be a namespace/),
    ]);
    expect(watched.read(ArgoApplications, ns, 'x')).toEqual({ synced: false });
    expect(counted).toEqual({ open: 0, refused: ['invalid-namespace'] });
  });
});
