// Tests of the small pure helpers: backoff, timestamps, request naming, keys.
import { backoffDelay } from './backoff.js';
import { kubeTime, microTime, parseKubeTime } from '../kube/time.js';
import { describeRequest } from '../kube/request-description.js';
import { keyOf, parseKey, resourcePath, ConfigMaps } from '../kube/resource.js';

test('backoff doubles from base to max; jitter only shortens', () => {
  const opts = { baseMs: 500, maxMs: 4_000 };
  expect([0, 1, 2, 3, 4, 60].map((f) => backoffDelay(f, opts))).toEqual([500, 1000, 2000, 4000, 4000, 4000]);
  expect(backoffDelay(2, { ...opts, jitter: 0.5 }, () => 1)).toBe(1000);
  expect(backoffDelay(2, { ...opts, jitter: 0.5 }, () => 0)).toBe(2000);
});

test('Kubernetes timestamps: whole seconds for Time, six digits for MicroTime', () => {
  const t = Date.UTC(2026, 4, 6, 7, 8, 9, 123);
  expect(kubeTime(t)).toBe('2026-05-06T07:08:09Z');
  expect(microTime(t)).toBe('2026-05-06T07:08:09.123000Z');
  expect(parseKubeTime('2026-05-06T07:08:09.123000Z')).toBe(t);
  expect(parseKubeTime(new Date(t))).toBe(t);
  expect(parseKubeTime('')).toBeUndefined();
});

test('requests are named by verb and resource like RBAC rules', () => {
  const s = 'https://10.0.0.1:6443';
  expect(describeRequest('GET', `${s}/api/v1/namespaces/a/configmaps?limit=500`)).toEqual({
    verb: 'list',
    resource: 'configmaps',
  });
  expect(describeRequest('GET', `${s}/api/v1/configmaps?watch=true`)).toEqual({
    verb: 'watch',
    resource: 'configmaps',
  });
  expect(describeRequest('GET', `${s}/api/v1/namespaces/a/configmaps/x`)).toEqual({
    verb: 'get',
    resource: 'configmaps',
  });
  expect(
    describeRequest('PATCH', `${s}/apis/depot.sh/v1alpha1/namespaces/a/applications/web/status`),
  ).toEqual({
    verb: 'patch',
    resource: 'applications/status',
  });
  expect(describeRequest('PUT', `${s}/apis/coordination.k8s.io/v1/namespaces/a/leases/l`)).toEqual({
    verb: 'update',
    resource: 'leases',
  });
  expect(describeRequest('POST', `${s}/apis/events.k8s.io/v1/namespaces/a/events`)).toEqual({
    verb: 'create',
    resource: 'events',
  });
  expect(describeRequest('GET', `${s}/api/v1/namespaces/a`)).toEqual({ verb: 'get', resource: 'namespaces' });
  expect(describeRequest('GET', `${s}/api/v1/namespaces`)).toEqual({ verb: 'list', resource: 'namespaces' });
  expect(describeRequest('DELETE', `${s}/api/v1/namespaces/a/secrets`)).toEqual({
    verb: 'deletecollection',
    resource: 'secrets',
  });
});

test('object keys and paths', () => {
  expect(keyOf({ metadata: { namespace: 'a', name: 'x' } })).toBe('a/x');
  expect(keyOf({ metadata: { name: 'cluster-wide' } })).toBe('cluster-wide');
  expect(parseKey('a/x')).toEqual({ namespace: 'a', name: 'x' });
  expect(parseKey('cluster-wide')).toEqual({ namespace: '', name: 'cluster-wide' });
  expect(resourcePath(ConfigMaps, { namespace: 'a', name: 'x' })).toBe('/api/v1/namespaces/a/configmaps/x');
  expect(
    resourcePath(
      {
        group: 'depot.sh',
        version: 'v1alpha1',
        plural: 'applications',
        kind: 'Application',
        namespaced: true,
      },
      {
        namespace: 'a',
        name: 'web',
        subresource: 'status',
      },
    ),
  ).toBe('/apis/depot.sh/v1alpha1/namespaces/a/applications/web/status');
  expect(resourcePath(ConfigMaps)).toBe('/api/v1/configmaps');
});
