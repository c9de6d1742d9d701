// The caches of delivered objects follow what the Applications deliver to:
// a namespace's informer is stopped once no Application delivers into it,
// and kept while any still does.
import type { DeliveryObject } from '../../core/delivery.js';
import { ArgoApplications } from '../../integrations/argocd/resource.js';
import { MemoryCluster } from '../../runtime/testing/memory-cluster.js';
import { WatchedObjects } from './watched-objects.js';

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
