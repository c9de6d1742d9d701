// The Flux Deliverer over an in-memory DeliveryIO: what it watches, what it
// observes, and that it writes nothing it should not (the real API server and
// notification-controller are in test/integration/flux-*.test.ts).
import type { CachedRead, DeliveryIO, DeliveryRequest } from '../../core/delivery.js';
import { effectiveDelivery } from '../../core/delivery.js';
import { app, target } from '../../core/testing/builders.js';
import type { KubeObject } from '../../kube/resource.js';
import type { Delivery } from '../../api/delivery.js';
import { fluxDeliverer } from './deliverer.js';

const settings = { checkAuthorization: true, receiverUrlAllow: [], httpTimeoutMs: 1000 };

function memoryIO(objects: Record<string, KubeObject>, synced = true) {
  const patches: unknown[] = [];
  const io: DeliveryIO = {
    read: (_r, ns, name): CachedRead =>
      synced ? { synced: true, object: objects[`${ns}/${name}`] } : { synced: false },
    get: () => Promise.resolve(undefined),
    update: () => Promise.reject(new Error('not used by Flux')),
    patch: (_r, ns, name, body) => {
      patches.push(body);
      return Promise.resolve(objects[`${ns}/${name}`]!);
    },
  };
  return { io, patches };
}

const helmDelivery: Delivery = {
  flux: {
    patch: {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      name: '${application}-${environment}',
      namespace: 'flux-system',
      field: 'spec.chart.spec.version',
    },
  },
};

function request(delivery: Delivery, version = '1.2.0'): DeliveryRequest {
  const t = target('prod-flux', 'prod', delivery);
  const a = app('core');
  return { application: a, target: t, environment: 'prod', version, delivery: effectiveDelivery(t, a) };
}

const release = (version: string, status: object = {}): KubeObject => ({
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  metadata: {
    name: 'core-prod',
    namespace: 'flux-system',
    generation: 3,
    annotations: { 'depot.sh/authorized-targets': 'ns/prod-flux' },
  },
  spec: { chart: { spec: { chart: 'core', version } } },
  status,
});

describe('the Flux deliverer', () => {
  test('watches the patched object; a receiver-only target has none', () => {
    const { io } = memoryIO({});
    const d = fluxDeliverer(io, settings);
    expect(d.objectOf!(request(helmDelivery))).toEqual({
      resource: expect.objectContaining({ group: 'helm.toolkit.fluxcd.io', plural: 'helmreleases' }),
      namespace: 'flux-system',
      name: 'core-prod',
    });
    expect(
      d.objectOf!(request({ flux: { receiver: { url: 'http://nc/hook/x', type: 'generic' } } })),
    ).toBeUndefined();
  });

  test('observes whether the field holds the version and the deployed version from status', () => {
    const status = {
      conditions: [{ type: 'Ready', status: 'True' }],
      history: [{ chartVersion: '1.1.0', status: 'deployed' }],
    };
    const { io } = memoryIO({ 'flux-system/core-prod': release('1.2.0', status) });
    const d = fluxDeliverer(io, settings);
    expect(d.observe!(request(helmDelivery))).toEqual({ inPlace: true, deployed: '1.1.0' });
    expect(d.observe!(request(helmDelivery, '1.3.0'))).toEqual({ inPlace: false, deployed: '1.1.0' });
    expect(fluxDeliverer(memoryIO({}, false).io, settings).observe!(request(helmDelivery))).toEqual({});
  });

  test('an unsynced cache is Pending and writes nothing; a version in place writes nothing', async () => {
    const unsynced = memoryIO({}, false);
    expect(
      await fluxDeliverer(unsynced.io, settings).deliver(request(helmDelivery), AbortSignal.timeout(1000)),
    ).toMatchObject({
      state: 'Pending',
      message: expect.stringContaining(
        'waiting for the cache of HelmRelease objects in namespace flux-system',
      ),
    });
    const inPlace = memoryIO({ 'flux-system/core-prod': release('1.2.0') });
    expect(
      await fluxDeliverer(inPlace.io, settings).deliver(request(helmDelivery), AbortSignal.timeout(1000)),
    ).toEqual({
      state: 'Delivered',
      message: 'spec.chart.spec.version of HelmRelease flux-system/core-prod is 1.2.0',
      wrote: false,
    });
    expect([...unsynced.patches, ...inPlace.patches]).toEqual([]);
  });

  test('an object that does not consent to the Target or the field is not read: only the refusal is observed', () => {
    const secret = 's3cr3t-value';
    const status = {
      conditions: [{ type: 'Ready', status: 'False', message: secret, observedGeneration: 3 }],
    };
    const values: Delivery = {
      flux: { patch: { ...helmDelivery.flux!.patch!, field: 'spec.values.db.password' } },
    };
    const withValues = (annotations: Record<string, string>): KubeObject => {
      const r = release('1.2.0', status);
      return {
        ...r,
        metadata: { ...r.metadata, annotations },
        spec: { ...(r.spec as object), values: { db: { password: secret } } },
      };
    };
    const cases: [Record<string, string>, string][] = [
      [{}, 'does not exist or does not authorize Target ns/prod-flux'],
      [
        { 'depot.sh/authorized-targets': 'other/*' },
        'does not exist or does not authorize Target ns/prod-flux',
      ],
      [
        { 'depot.sh/authorized-targets': 'ns/prod-flux' },
        'adds "spec.values.db.password" to the annotation depot.sh/authorized-fields',
      ],
    ];
    for (const [annotations, message] of cases) {
      const { io } = memoryIO({ 'flux-system/core-prod': withValues(annotations) });
      const seen = fluxDeliverer(io, settings).observe!(request(values, secret));
      expect(seen).toEqual({ refused: expect.stringContaining(message) });
      expect(JSON.stringify(seen)).not.toContain(secret);
    }
    const { io } = memoryIO({});
    expect(fluxDeliverer(io, settings).observe!(request(values, secret))).toEqual({
      refused: expect.stringContaining(
        'HelmRelease flux-system/core-prod does not exist or does not authorize',
      ),
    });
  });

  test('a Target setting Depot cannot use is Failed naming the Target and its field', async () => {
    const { io, patches } = memoryIO({});
    const bad: Delivery = {
      flux: { patch: { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', field: 'spec.x' } },
    };
    expect(await fluxDeliverer(io, settings).deliver(request(bad), AbortSignal.timeout(1000))).toEqual({
      state: 'Failed',
      message:
        'Target ns/prod-flux: spec.delivery.flux.patch: kind ConfigMap is not a Flux kind Depot can patch (HelmRelease, Kustomization, GitRepository, OCIRepository)',
    });
    expect(patches).toEqual([]);
  });
  test('a receiver URL the operator does not allow is Failed, never called, and waits for a change instead of retrying', async () => {
    const { io } = memoryIO({});
    const outcome = await fluxDeliverer(io, settings).deliver(
      request({ flux: { receiver: { url: 'http://nc/hook/x', type: 'generic' } } }),
      AbortSignal.timeout(1000),
    );
    expect(outcome).toEqual({
      state: 'Failed',
      message: expect.stringContaining('not called: no receiver URL is allowed'),
      waitForChange: true,
    });
  });
});

describe('a GitRepository applied by a Kustomization (appliedBy)', () => {
  const revision = 'v1.2.0@sha1:' + 'c'.repeat(40);
  const gitDelivery: Delivery = {
    flux: {
      patch: {
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'GitRepository',
        name: '${application}',
        namespace: 'flux-system',
        field: 'spec.ref.tag',
        appliedBy: { name: '${application}-apps' },
      },
    },
  };
  const optIn = { 'depot.sh/authorized-targets': 'ns/prod-flux' };
  const source = (status: object): KubeObject => ({
    metadata: { name: 'core', namespace: 'flux-system', generation: 2, annotations: optIn },
    spec: { ref: { tag: 'v1.2.0' } },
    status,
  });
  const kustomization = (
    lastAppliedRevision: string,
    annotations: Record<string, string> = optIn,
  ): KubeObject => ({
    metadata: { name: 'core-apps', namespace: 'flux-system', generation: 1, annotations },
    spec: { sourceRef: { kind: 'GitRepository', name: 'core' } },
    status: {
      lastAppliedRevision,
      lastAttemptedRevision: lastAppliedRevision,
      conditions: [{ type: 'Ready', status: 'True', observedGeneration: 1 }],
    },
  });
  const fetched = { conditions: [{ type: 'Ready', status: 'True' }], artifact: { revision } };

  test('also watches the Kustomization, in the source namespace by default', () => {
    const d = fluxDeliverer(memoryIO({}).io, settings);
    expect(d.alsoReads!(request(gitDelivery, 'v1.2.0'))).toEqual([
      {
        resource: expect.objectContaining({ plural: 'kustomizations', kind: 'Kustomization' }),
        namespace: 'flux-system',
        name: 'core-apps',
      },
    ]);
    expect(d.alsoReads!(request(helmDelivery))).toEqual([]);
  });

  test('deployed only once the Kustomization applied the revision the source fetched', () => {
    const applying = memoryIO({
      'flux-system/core': source(fetched),
      'flux-system/core-apps': kustomization('v1.1.0@sha1:' + 'b'.repeat(40)),
    });
    expect(fluxDeliverer(applying.io, settings).observe!(request(gitDelivery, 'v1.2.0'))).toEqual({
      inPlace: true,
    });
    const applied = memoryIO({
      'flux-system/core': source(fetched),
      'flux-system/core-apps': kustomization(revision),
    });
    expect(fluxDeliverer(applied.io, settings).observe!(request(gitDelivery, 'v1.2.0'))).toEqual({
      inPlace: true,
      deployed: 'v1.2.0',
    });
  });

  test('a Kustomization that does not authorize the Target is not read: no deployed version, the refusal as failure', () => {
    const message =
      'Kustomization flux-system/core-apps (spec.delivery.flux.patch.appliedBy) does not exist or does not authorize Target ns/prod-flux: ' +
      'Depot reads and writes it only when its owner adds the annotation depot.sh/authorized-targets: "ns/prod-flux" (or "ns/*")';
    for (const objects of [
      { 'flux-system/core': source(fetched), 'flux-system/core-apps': kustomization(revision, {}) } as Record<
        string,
        KubeObject
      >,
      { 'flux-system/core': source(fetched) },
    ]) {
      const { io } = memoryIO(objects);
      expect(fluxDeliverer(io, settings).observe!(request(gitDelivery, 'v1.2.0'))).toEqual({
        inPlace: true,
        failure: message,
      });
    }
  });

  test("Flux's Ready=False on the version in place is observed as a failure", () => {
    const failing = {
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'GitOperationFailed',
          message: 'no tag',
          observedGeneration: 2,
        },
      ],
    };
    const { io } = memoryIO({ 'flux-system/core': source(failing) });
    expect(fluxDeliverer(io, settings).observe!(request(gitDelivery, 'v1.2.0'))).toEqual({
      inPlace: true,
      failure: 'Flux reports GitRepository flux-system/core Ready=False (GitOperationFailed): no tag',
    });
    // A failure of a version Depot no longer asks for is not this delivery's.
    expect(fluxDeliverer(io, settings).observe!(request(gitDelivery, 'v1.3.0'))).toEqual({ inPlace: false });
  });

  test('appliedBy on a kind that is not a source is Failed naming the field', async () => {
    const bad: Delivery = {
      flux: { patch: { ...helmDelivery.flux!.patch!, appliedBy: { name: 'x' } } },
    };
    expect(
      await fluxDeliverer(memoryIO({}).io, settings).deliver(request(bad), AbortSignal.timeout(1000)),
    ).toMatchObject({
      state: 'Failed',
      message: expect.stringContaining('spec.delivery.flux.patch.appliedBy'),
    });
  });
});
