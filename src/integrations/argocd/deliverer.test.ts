// The Argo CD deliverer's decisions on a scripted DeliveryIO: no write from a
// cache that is not synced, none when the version is in place, none without
// the opt-in (checked again on the fresh copy a conflict brings).
import type { Target } from '../../api/target.js';
import type { CachedRead, DeliveryIO, DeliveryRequest } from '../../core/delivery.js';
import { app } from '../../core/testing/builders.js';
import type { KubeObject } from '../../kube/resource.js';
import { argocdDeliverer } from './deliverer.js';

const request: DeliveryRequest = {
  application: app('core'),
  target: {
    apiVersion: 'depot.sh/v1alpha1',
    kind: 'Target',
    metadata: { name: 'dev', namespace: 'team' },
    spec: { environment: 'dev', delivery: { argocd: {} } },
  } as Target,
  environment: 'dev',
  version: '1.2.3',
  delivery: { argocd: { applicationNamespace: 'argocd', applicationName: '${application}' } } as never,
};

const argo = (revision: string, authorized = 'team/dev'): KubeObject => ({
  metadata: {
    name: 'core',
    namespace: 'argocd',
    resourceVersion: '1',
    annotations: { 'depot.sh/authorized-targets': authorized },
  },
  spec: { source: { repoURL: 'r', targetRevision: revision } },
});

function io(read: CachedRead, fresh?: KubeObject) {
  const updates: KubeObject[] = [];
  const fake: DeliveryIO = {
    read: () => read,
    get: async () => undefined,
    patch: async () => {
      throw new Error('not expected');
    },
    update: async <T extends KubeObject>(_r: unknown, current: T, mutate: (d: T) => void) => {
      // A conflict hands mutate the fresh copy, as the runtime's writer does.
      const draft = structuredClone((fresh ?? current) as T);
      mutate(draft);
      updates.push(draft);
      return { written: true, object: draft };
    },
  };
  return { fake, updates };
}

const settings = { checkAuthorization: true, receiverUrlAllow: [], httpTimeoutMs: 1000 };
const signal = new AbortController().signal;

test('a cache that is not synced writes nothing: Pending', async () => {
  const { fake, updates } = io({ synced: false });
  expect(await argocdDeliverer(fake, settings).deliver(request, signal)).toMatchObject({ state: 'Pending' });
  expect(updates).toEqual([]);
});

test('the version in place writes nothing: Delivered, wrote false', async () => {
  const { fake, updates } = io({ synced: true, object: argo('1.2.3') });
  expect(await argocdDeliverer(fake, settings).deliver(request, signal)).toEqual({
    state: 'Delivered',
    message: 'Argo CD Application argocd/core spec.source.targetRevision is 1.2.3',
    wrote: false,
  });
  expect(updates).toEqual([]);
});

test('writes the field and says what it found', async () => {
  const { fake, updates } = io({ synced: true, object: argo('main') });
  expect(await argocdDeliverer(fake, settings).deliver(request, signal)).toMatchObject({
    state: 'Delivered',
    wrote: true,
    found: 'main',
  });
  expect(updates.map((u) => u.spec)).toEqual([{ source: { repoURL: 'r', targetRevision: '1.2.3' } }]);
});

test('the opt-in is checked again on the fresh copy a conflict brings', async () => {
  const { fake } = io({ synced: true, object: argo('main') }, argo('main', 'other/*'));
  const outcome = await argocdDeliverer(fake, settings).deliver(request, signal);
  expect(outcome).toMatchObject({ state: 'Failed', waitForChange: true });
  expect(outcome.message).toBe(
    'Argo CD Application argocd/core does not exist or does not authorize Target team/dev: Depot reads and writes it only when its owner adds the annotation depot.sh/authorized-targets: "team/dev" (or "team/*")',
  );
  expect(outcome.message).not.toContain('other/*');
});

test('without the check (--no-delivery-authorization) an Application without the annotation is written', async () => {
  const { fake, updates } = io({ synced: true, object: argo('main', '') });
  const outcome = await argocdDeliverer(fake, { ...settings, checkAuthorization: false }).deliver(
    request,
    signal,
  );
  expect(outcome.state).toBe('Delivered');
  expect(updates).toHaveLength(1);
});

test('a Helm parameter the owner did not name: refused without a write, and nothing of the Application observed', async () => {
  const helm: DeliveryRequest = {
    ...request,
    delivery: {
      argocd: {
        applicationNamespace: 'argocd',
        applicationName: '${application}',
        set: { helmParameter: 'image.repository' },
      },
    } as never,
  };
  const synced = (fields?: string): KubeObject => {
    const a = argo('main');
    const annotations = {
      ...a.metadata!.annotations,
      ...(fields ? { 'depot.sh/authorized-fields': fields } : {}),
    };
    return {
      ...a,
      metadata: { ...a.metadata, annotations },
      spec: { source: { repoURL: 'r', helm: { parameters: [{ name: 'image.repository', value: 'x' }] } } },
      status: { sync: { status: 'Synced', comparedTo: { source: { helm: { parameters: [] } } } } },
    };
  };
  for (const fields of [undefined, 'helm:*', 'helm:image.*', ' , helm:image.tag']) {
    const { fake, updates } = io({ synced: true, object: synced(fields) });
    const d = argocdDeliverer(fake, settings);
    const outcome = await d.deliver(helm, signal);
    expect(outcome).toMatchObject({ state: 'Failed', waitForChange: true });
    expect(outcome.message).toContain(
      'adds "helm:image.repository" to the annotation depot.sh/authorized-fields (comma-separated exact names; * is not a wildcard)',
    );
    expect(d.observe!(helm)).toEqual({ refused: outcome.message });
    expect(updates).toEqual([]);
  }
  const { fake, updates } = io({ synced: true, object: synced('helm:image.tag, helm:image.repository') });
  expect(await argocdDeliverer(fake, settings).deliver(helm, signal)).toMatchObject({ state: 'Delivered' });
  expect(updates).toHaveLength(1);
});
