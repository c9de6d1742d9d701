import { parsePrometheusText } from '../prometheus-text.js';
import {
  apiserverRequestCounts,
  requestDelta,
  summarizeRequests,
  type RequestCount,
} from '../request-accounting.js';

// An excerpt of kube-apiserver 1.36's /metrics (labels as it writes them).
const metrics = (patchStatus: number, events: number, lease: number, conflicts: number) => `
# HELP apiserver_request_total [STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.
# TYPE apiserver_request_total counter
apiserver_request_total{code="200",component="apiserver",dry_run="",group="depot.sh",resource="applications",scope="resource",subresource="status",verb="PATCH",version="v1alpha1"} ${patchStatus}
apiserver_request_total{code="409",component="apiserver",dry_run="",group="depot.sh",resource="applications",scope="resource",subresource="status",verb="PATCH",version="v1alpha1"} ${conflicts}
apiserver_request_total{code="201",component="apiserver",dry_run="",group="events.k8s.io",resource="events",scope="namespace",subresource="",verb="POST",version="v1"} ${events}
apiserver_request_total{code="200",component="apiserver",dry_run="",group="coordination.k8s.io",resource="leases",scope="resource",subresource="",verb="PUT",version="v1"} ${lease}
apiserver_request_total{code="200",component="apiserver",dry_run="",group="depot.sh",resource="applications",scope="namespace",subresource="",verb="LIST",version="v1alpha1"} 3
apiserver_request_total{code="200",component="apiserver",dry_run="",group="depot.sh",resource="applications",scope="namespace",subresource="",verb="WATCH",version="v1alpha1"} 2
apiserver_request_total{code="200",component="",dry_run="",group="",resource="",scope="",subresource="/metrics",verb="GET",version=""} 40
apiserver_request_duration_seconds_bucket{component="apiserver",dry_run="",group="depot.sh",resource="applications",scope="resource",subresource="status",verb="PATCH",version="v1alpha1",le="0.005"} 7
`;

const reading = (...args: Parameters<typeof metrics>) =>
  apiserverRequestCounts(parsePrometheusText(metrics(...args)));

test('reads apiserver_request_total by verb, group, resource, subresource and code; non-resource paths left out', () => {
  const counts = reading(10, 5, 3, 1);
  expect(counts).toContainEqual({
    verb: 'PATCH',
    group: 'depot.sh',
    resource: 'applications',
    subresource: 'status',
    code: '409',
    count: 1,
  });
  expect(counts.some((c) => c.resource === '')).toBe(false);
  expect(counts).toHaveLength(6);
});

test('deltas per scenario: writes by verb and resource, Leases and the harness apart, conflicts visible', () => {
  const before = reading(10, 5, 3, 1);
  const after = reading(1010, 905, 33, 4);
  const harness: RequestCount[] = [
    {
      verb: 'PATCH',
      group: 'depot.sh',
      resource: 'applications',
      subresource: 'status',
      code: '',
      count: 1000,
    },
  ];
  const s = summarizeRequests(requestDelta(before, after), harness, 10);

  expect(s.writes.by_resource).toEqual({
    'applications.depot.sh/status': { PATCH: 1003 },
    'events.events.k8s.io': { POST: 900 },
  });
  expect(s.writes.total).toBe(1903);
  expect(s.leases).toEqual({ PUT: 30 });
  expect(s.errors_by_code).toEqual({ '409': 3 });
  expect(s.total).toBe(1903);
  expect(s.per_second).toBe(190.3);
  expect(s.harness).toEqual({ PATCH: 1000 });
  // What is left once the harness's own 1,000 patches are taken out: the operator's.
  expect(s.operator_writes).toEqual({
    total: 903,
    by_verb: { PATCH: 3, POST: 900 },
    by_resource: { 'applications.depot.sh/status': { PATCH: 3 }, 'events.events.k8s.io': { POST: 900 } },
  });
  expect(s.operator_requests).toEqual({ PATCH: 3, POST: 900 });
});

test('an idle interval has no writes; a counter that restarted counts from zero', () => {
  const r = reading(10, 5, 3, 1);
  expect(summarizeRequests(requestDelta(r, r), [], 60).writes.total).toBe(0);
  const restarted = requestDelta(reading(10, 5, 3, 1), reading(2, 5, 3, 1));
  expect(restarted.find((c) => c.subresource === 'status' && c.code === '200')?.count).toBe(2);
});

test('watches are listed by verb but not in the request rate', () => {
  const s = summarizeRequests(requestDelta([], reading(0, 0, 0, 0)), [], 1);
  expect(s.by_verb).toEqual({ LIST: 3, WATCH: 2 });
  expect(s.total).toBe(3);
  // The operator's requests by verb: reads too, watches and Leases apart.
  expect(s.operator_requests).toEqual({ LIST: 3 });
});
