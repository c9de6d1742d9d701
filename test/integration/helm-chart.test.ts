// The Helm chart in helm/depot, with the helm CLI built from its Go module:
// lint with the values schema, bad values refused with messages naming them,
// the hardened Deployment, RBAC that follows the integrations, arguments the
// real `depot operator` accepts, and the rendering applied server-side to the
// real control plane (its pod template admitted at the `restricted` level).
import { randomBytes } from 'node:crypto';
import {
  CoreV1Api,
  type KubernetesObject,
  type V1Deployment,
  type V1PolicyRule,
} from '@kubernetes/client-node';
import { applyManifests } from '../../src/local/manifests.js';
import { testKubeConfig } from '../controlplane/env.js';
import { lint, renderChart, template } from '../kit/helm.js';
import { operatorFlags } from '../kit/chart-flags.js';

/** Every value set away from its default (ServiceMonitor, TLS, namespaces, allow-list...). */
const everythingOn = {
  integrations: { argocd: true, flux: true },
  api: { enabled: true, anonymousReads: true, tls: { secretName: 'depot-api-tls' } },
  serviceMonitor: { enabled: true, interval: '15s', labels: { release: 'prometheus' } },
  watchNamespaces: ['team-a', 'team-b'],
  flux: {
    receiverUrlAllow: ['https://notification-controller.flux-system.svc/hook/', 'http://receiver:9292/'],
  },
  gates: { urlAllow: ['https://checks.example.com/depot/', 'http://prometheus.monitoring:9090/api/'] },
  delivery: { authorization: false },
  logLevel: 'debug',
  image: { digest: `sha256:${'a'.repeat(64)}` },
  imagePullSecrets: [{ name: 'registry' }],
  podAnnotations: { 'example.com/team': 'platform' },
  nodeSelector: { 'kubernetes.io/os': 'linux' },
  tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'ops', effect: 'NoSchedule' }],
  affinity: {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: {
            topologyKey: 'kubernetes.io/hostname',
            labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'depot' } },
          },
        },
      ],
    },
  },
};

const byKind = (objects: KubernetesObject[], kind: string) => objects.filter((o) => o.kind === kind);
const one = <T extends KubernetesObject>(objects: KubernetesObject[], kind: string): T => {
  const found = byKind(objects, kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, rendered ${found.length}`);
  return found[0] as T;
};
const deployment = (objects: KubernetesObject[]) => one<V1Deployment>(objects, 'Deployment');
const container = (objects: KubernetesObject[]) => deployment(objects).spec!.template.spec!.containers[0]!;
/** The operator's own ClusterRole (the others are for Depot's users: user-roles.test.ts). */
const rules = (objects: KubernetesObject[]) =>
  (
    one(
      objects.filter((o) => o.kind !== 'ClusterRole' || o.metadata?.name === 'depot-operator'),
      'ClusterRole',
    ) as KubernetesObject & { rules: V1PolicyRule[] }
  ).rules;
const ruleGroups = (objects: KubernetesObject[]) =>
  rules(objects).map((r) => `${r.apiGroups!.join(',')}/${r.resources!.join(',')}`);

describe('helm lint (with values.schema.json)', () => {
  test.each([
    ['default values', {}],
    ['everything on', everythingOn],
  ])('passes with %s', (_name, values) => {
    const r = lint(values);
    expect(r.stderr + r.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(r.status).toBe(0);
  });
});

describe('bad values are refused with a message naming them', () => {
  // Refused by values.schema.json: helm template, lint and install.
  const schemaCases: [string, object, RegExp][] = [
    ['a negative replica count', { replicas: -1 }, /at '\/replicas': minimum: got -1, want 1/],
    [
      'an unknown integration name',
      { integrations: { foo: true } },
      /at '\/integrations': additional properties 'foo' not allowed/,
    ],
    [
      'a malformed receiver URL prefix',
      { flux: { receiverUrlAllow: ['ftp//x'] } },
      /at '\/flux\/receiverUrlAllow\/0': 'ftp\/\/x' does not match pattern/,
    ],
    [
      'a gate URL prefix that is not http(s)',
      { gates: { urlAllow: ['ftp//x'] } },
      /at '\/gates\/urlAllow\/0': 'ftp\/\/x' does not match pattern/,
    ],
    ['an unknown log level', { logLevel: 'verbose' }, /at '\/logLevel': value must be one of/],
    ['no token audience', { api: { tokenAudiences: [] } }, /at '\/api\/tokenAudiences': minItems/],
    [
      'an audit sink URL with a password in it',
      { auditSink: { url: 'https://user:secret@events.example.com/' } },
      /at '\/auditSink\/url': .* does not match pattern/,
    ],
    [
      'a status byte budget that is not a byte count',
      { statusByteBudget: '1.5MiB' },
      /at '\/statusByteBudget': '1.5MiB' does not match pattern/,
    ],
    [
      'no delivery watches at all',
      { delivery: { maxWatchesPerNamespace: 0 } },
      /at '\/delivery\/maxWatchesPerNamespace': minimum: got 0, want 1/,
    ],
  ];
  // Combinations the schema cannot word clearly fail the render (helm template
  // and install); helm lint only logs a template's `fail` at INFO level.
  const renderCases: [string, object, RegExp][] = [
    [
      'two replicas without leader election',
      { replicas: 2, leaderElection: false },
      /replicas is 2 but leaderElection is false: without leader election every replica would reconcile and write/,
    ],
    [
      'a receiver allow-list with the Flux integration off',
      { integrations: { flux: false }, flux: { receiverUrlAllow: ['https://nc/hook/'] } },
      /flux.receiverUrlAllow is set but integrations.flux is false/,
    ],
  ];

  test.each([...schemaCases, ...renderCases])('helm template: %s', (_name, values, message) => {
    const r = template(values);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).not.toContain('kind: Deployment');
  });

  test.each(schemaCases)('helm lint: %s', (_name, values, message) => {
    const r = lint(values);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(message);
  });

  test('one replica without leader election is allowed, and the operator is told', () => {
    const objects = renderChart({ replicas: 1, leaderElection: false });
    expect(deployment(objects).spec!.replicas).toBe(1);
    expect(container(objects).args).toContain('--no-leader-elect');
    // Only the HTTP API certificate's Role (api-tls-role.yaml) is left: none for a Lease.
    expect(byKind(objects, 'Role').map((r) => r.metadata!.name)).toEqual(['depot-operator-api-tls']);
  });
});

describe('the default Deployment', () => {
  const objects = renderChart();
  const d = deployment(objects);
  const pod = d.spec!.template.spec!;
  const c = container(objects);

  test('runs 2 replicas with leader election, named for config/ (depot-operator)', () => {
    expect(d.metadata!.name).toBe('depot-operator');
    expect(d.spec!.replicas).toBe(2);
    expect(c.args).toEqual(
      expect.arrayContaining([
        '--leader-election-id=depot-operator',
        '--leader-election-namespace=depot-system',
      ]),
    );
    expect(c.args).not.toContain('--no-leader-elect');
    expect(pod.serviceAccountName).toBe('depot-operator');
  });

  test('is hardened: non-root, seccomp RuntimeDefault, read-only root, no escalation, no capabilities', () => {
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
  });

  test('has liveness and readiness probes on /healthz and /readyz of the health port', () => {
    expect(c.livenessProbe!.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect(c.readinessProbe!.httpGet).toEqual({ path: '/readyz', port: 'health' });
    expect(c.ports).toEqual(expect.arrayContaining([{ name: 'health', containerPort: 8081 }]));
    expect(c.args).toContain('--health-addr=:8081');
  });

  test('has resource requests and limits', () => {
    expect(c.resources!.requests).toEqual({ cpu: '100m', memory: '256Mi' });
    expect(c.resources!.limits).toEqual({ memory: '1Gi' });
  });

  test('gives in-flight reconciles their --shutdown-timeout before SIGKILL, and names the pod', () => {
    const flags = operatorFlags(c.args!);
    expect(pod.terminationGracePeriodSeconds! * 1000).toBeGreaterThan(flags.shutdownTimeout);
    expect(c.env).toEqual([{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }]);
  });

  test("runs the chart's appVersion image and leaves NODE_OPTIONS to bin/depot.js", () => {
    expect(c.image).toBe('ghcr.io/depot-sh/depot:0.1.0');
    expect(c.env!.map((e) => e.name)).not.toContain('NODE_OPTIONS');
  });

  test('has a PodDisruptionBudget and a Service (metrics 8080, HTTP API 8082) for its pods', () => {
    const pdb = one<KubernetesObject & { spec: { maxUnavailable: number; selector: unknown } }>(
      objects,
      'PodDisruptionBudget',
    );
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(pdb.spec.selector).toEqual(d.spec!.selector);
    const svc = one<
      KubernetesObject & { spec: { selector: unknown; ports: { name: string; port: number }[] } }
    >(objects, 'Service');
    expect(svc.spec.selector).toEqual(d.spec!.selector.matchLabels);
    expect(svc.spec.ports.map((p) => [p.name, p.port])).toEqual([
      ['metrics', 8080],
      ['api', 8082],
    ]);
    expect(byKind(objects, 'ServiceMonitor')).toEqual([]);
  });
});

describe('RBAC follows the integrations and the HTTP API', () => {
  const all = [
    'depot.sh/applications,environments,environmentsets,targets,promotions',
    'depot.sh/applications',
    'depot.sh/applications/status,environments/status,environmentsets/status,targets/status,promotions/status',
    // The admission policies let only the operator name another actor (verb attribute).
    'depot.sh/applications,promotions',
    'events.k8s.io/events',
    'argoproj.io/applications',
    'source.toolkit.fluxcd.io/gitrepositories,ocirepositories',
    'helm.toolkit.fluxcd.io/helmreleases',
    'kustomize.toolkit.fluxcd.io/kustomizations',
    '/secrets',
    'authentication.k8s.io/tokenreviews',
    'authorization.k8s.io/subjectaccessreviews',
    // The HTTP API applies approvals to Promotions for callers allowed to patch them.
    'depot.sh/promotions',
  ];
  const without = (...dropped: string[]) => all.filter((r) => !dropped.includes(r));

  test('by default: every rule, one per capability', () => {
    expect(ruleGroups(renderChart())).toEqual(all);
  });

  test('argocd off drops the Argo CD rule', () => {
    expect(ruleGroups(renderChart({ integrations: { argocd: false } }))).toEqual(
      without('argoproj.io/applications'),
    );
  });

  test('flux off drops the Flux rules and the get of Secrets', () => {
    expect(ruleGroups(renderChart({ integrations: { flux: false } }))).toEqual(
      without(
        'source.toolkit.fluxcd.io/gitrepositories,ocirepositories',
        'helm.toolkit.fluxcd.io/helmreleases',
        'kustomize.toolkit.fluxcd.io/kustomizations',
        '/secrets',
      ),
    );
  });

  test('flux off with gates allowed keeps the get of Secrets (a gate call may be signed)', () => {
    expect(
      ruleGroups(renderChart({ integrations: { flux: false }, gates: { urlAllow: ['https://checks/'] } })),
    ).toEqual(
      without(
        'source.toolkit.fluxcd.io/gitrepositories,ocirepositories',
        'helm.toolkit.fluxcd.io/helmreleases',
        'kustomize.toolkit.fluxcd.io/kustomizations',
      ),
    );
  });

  test('the HTTP API off drops TokenReviews, SubjectAccessReviews, the patch of Promotions and its port, and turns it off', () => {
    const objects = renderChart({ api: { enabled: false } });
    expect(ruleGroups(objects)).toEqual(
      without(
        'authentication.k8s.io/tokenreviews',
        'authorization.k8s.io/subjectaccessreviews',
        'depot.sh/promotions',
      ),
    );
    expect(container(objects).args).toContain('--api-addr=0');
    expect(container(objects).ports!.map((p) => p.name)).toEqual(['metrics', 'health']);
    const svc = one<KubernetesObject & { spec: { ports: { name: string }[] } }>(objects, 'Service');
    expect(svc.spec.ports.map((p) => p.name)).toEqual(['metrics']);
    expect(operatorFlags(container(objects).args!).apiAddr).toBe('0');
  });

  test('the delivery watch caps reach the operator (defaults 200 and 20)', () => {
    expect(operatorFlags(container(renderChart()).args!)).toMatchObject({
      maxDeliveryWatches: 200,
      maxDeliveryWatchesPerNamespace: 20,
    });
    const objects = renderChart({ delivery: { maxWatches: 50, maxWatchesPerNamespace: 5 } });
    expect(operatorFlags(container(objects).args!)).toMatchObject({
      maxDeliveryWatches: 50,
      maxDeliveryWatchesPerNamespace: 5,
    });
  });

  test('admission policies off drops them, the attribute rule and --verified-actors', () => {
    const policyKinds = (objects: KubernetesObject[]) =>
      objects.filter((o) => o.apiVersion === 'admissionregistration.k8s.io/v1').map((o) => o.kind);
    expect(policyKinds(renderChart()).sort()).toEqual([
      'MutatingAdmissionPolicy',
      'MutatingAdmissionPolicyBinding',
      'ValidatingAdmissionPolicy',
      'ValidatingAdmissionPolicy',
      'ValidatingAdmissionPolicyBinding',
      'ValidatingAdmissionPolicyBinding',
    ]);
    expect(operatorFlags(container(renderChart()).args!).verifiedActors).toBe(true);
    const off = renderChart({ admissionPolicies: { enabled: false } });
    expect(policyKinds(off)).toEqual([]);
    expect(ruleGroups(off)).toEqual(without('depot.sh/applications,promotions'));
    expect(operatorFlags(container(off).args!).verifiedActors).toBe(false);
  });

  test('the Lease is only granted in the release namespace', () => {
    const objects = renderChart({}, { namespace: 'ops' });
    const role = one<KubernetesObject & { rules: V1PolicyRule[] }>(
      objects.filter((o) => o.kind !== 'Role' || o.metadata?.name === 'depot-operator-leader-election'),
      'Role',
    );
    expect(role.metadata!.namespace).toBe('ops');
    expect(role.rules).toEqual([
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        verbs: ['get', 'list', 'watch', 'create', 'update'],
      },
    ]);
    expect(byKind(objects, 'RoleBinding')[0]!.metadata!.namespace).toBe('ops');
  });
});

describe("the rendered arguments are the real operator's flags", () => {
  test('default values', () => {
    const flags = operatorFlags(container(renderChart()).args!);
    expect(flags).toMatchObject({
      healthAddr: ':8081',
      metricsAddr: ':8080',
      apiAddr: ':8082',
      leaderElect: true,
      leaderElectionId: 'depot-operator',
      leaderElectionNamespace: 'depot-system',
      logLevel: 'info',
      deliveryAuthorization: true,
      receiverUrlAllow: [],
      gateUrlAllow: [],
      apiAnonymousReads: false,
      shutdownTimeout: 30_000,
      integrations: ['argocd', 'flux'],
      tokenAudiences: ['depot'],
      apiCacheBytes: 128 * 1024 * 1024,
      statusByteBudget: 512 * 1024,
    });
    expect(flags.namespaces).toBeUndefined();
  });

  test("api.tokenAudiences reaches --token-audiences (with the API server's own, legacy tokens pass too)", () => {
    const audiences = ['depot', 'https://kubernetes.default.svc'];
    const flags = operatorFlags(container(renderChart({ api: { tokenAudiences: audiences } })).args!);
    expect(flags.tokenAudiences).toEqual(audiences);
  });

  test('the byte budgets: the API cache and the status budget reach their flags', () => {
    const flags = operatorFlags(
      container(renderChart({ api: { cacheBytes: '64Mi' }, statusByteBudget: '256Ki' })).args!,
    );
    expect(flags).toMatchObject({ apiCacheBytes: 64 * 1024 * 1024, statusByteBudget: 256 * 1024 });
  });

  test('auditSink reaches --audit-sink and its timeout and retry delay; none by default', () => {
    expect(operatorFlags(container(renderChart()).args!).auditSink).toBeUndefined();
    const flags = operatorFlags(
      container(
        renderChart({
          auditSink: {
            url: 'http://events.audit.svc/depot',
            timeout: '5s',
            retryMaxDelay: '1m',
            concurrency: 8,
          },
        }),
      ).args!,
    );
    expect(flags).toMatchObject({
      auditSink: 'http://events.audit.svc/depot',
      auditSinkTimeout: 5_000,
      auditSinkRetryMaxDelay: 60_000,
      auditSinkConcurrency: 8,
    });
  });

  test('the operator is told which integrations are on, so Targets of the others are Blocked', () => {
    const args = (values: object) => operatorFlags(container(renderChart(values)).args!).integrations;
    expect(args({ integrations: { argocd: false } })).toEqual(['flux']);
    expect(args({ integrations: { flux: false } })).toEqual(['argocd']);
    expect(args({ integrations: { argocd: false, flux: false } })).toEqual([]);
  });

  test('everything on: namespaces, allow-list, TLS files from the mounted Secret, anonymous reads', () => {
    const objects = renderChart(everythingOn);
    const c = container(objects);
    const flags = operatorFlags(c.args!);
    expect(flags).toMatchObject({
      namespaces: ['team-a', 'team-b'],
      receiverUrlAllow: everythingOn.flux.receiverUrlAllow,
      gateUrlAllow: everythingOn.gates.urlAllow,
      deliveryAuthorization: false,
      apiAnonymousReads: true,
      logLevel: 'debug',
      apiTlsCert: '/etc/depot/api-tls/tls.crt',
      apiTlsKey: '/etc/depot/api-tls/tls.key',
    });
    expect(c.volumeMounts).toEqual([{ name: 'api-tls', mountPath: '/etc/depot/api-tls', readOnly: true }]);
    expect(deployment(objects).spec!.template.spec!.volumes).toEqual([
      { name: 'api-tls', secret: { secretName: 'depot-api-tls' } },
    ]);
    expect(c.image).toBe(`ghcr.io/depot-sh/depot@sha256:${'a'.repeat(64)}`);
  });

  test('an argument the operator does not know would be refused (the check can fail)', () => {
    expect(() => operatorFlags(['operator', '--no-such-flag'])).toThrow(/unknown option '--no-such-flag'/);
  });
});

describe('applied server-side to the real control plane', () => {
  const kc = testKubeConfig();
  const core = kc.makeApiClient(CoreV1Api);

  /** A release namespace that enforces the `restricted` Pod Security level. */
  async function releaseNamespace(prefix: string): Promise<string> {
    const name = `${prefix}-${randomBytes(4).toString('hex')}`;
    await core.createNamespace({
      body: { metadata: { name, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } },
    });
    return name;
  }

  /** Creates (dry run: admission, no pod) a Pod from the Deployment's template. */
  async function admitPod(namespace: string, d: V1Deployment): Promise<void> {
    await core.createNamespacedPod({
      namespace,
      dryRun: 'All',
      body: { metadata: { name: 'admission-check', namespace }, spec: d.spec!.template.spec! },
    });
  }

  test.each([
    ['default values', {}],
    ['everything on (without the ServiceMonitor: its CRD is not installed)', everythingOn],
  ])(
    '%s: every object applies, and the pod template is admitted at the restricted level',
    async (_name, values) => {
      const namespace = await releaseNamespace('chart');
      const releaseName = `depot-${randomBytes(3).toString('hex')}`;
      const objects = renderChart(values, { namespace, releaseName });
      // The Prometheus Operator's CRDs are not among ../shared/fixtures/crds:
      // the ServiceMonitor is checked by helm lint (above) and its shape here.
      const monitors = byKind(objects, 'ServiceMonitor');
      expect(monitors).toHaveLength('serviceMonitor' in values ? 1 : 0);
      for (const m of monitors) {
        expect(m.apiVersion).toBe('monitoring.coreos.com/v1');
        expect(m.metadata!.labels).toMatchObject({ release: 'prometheus' });
      }
      const applied = objects.filter((o) => o.kind !== 'ServiceMonitor');
      expect(applied.map((o) => o.kind).sort()).toEqual([
        'ClusterRole',
        'ClusterRole',
        'ClusterRole',
        'ClusterRoleBinding',
        'Deployment',
        'MutatingAdmissionPolicy',
        'MutatingAdmissionPolicyBinding',
        'PodDisruptionBudget',
        // The default's generated certificate has a Role for its Secret; everything on mounts a Secret of yours.
        ...('serviceMonitor' in values
          ? ['Role', 'RoleBinding']
          : ['Role', 'Role', 'RoleBinding', 'RoleBinding']),
        'Service',
        'ServiceAccount',
        'ValidatingAdmissionPolicy',
        'ValidatingAdmissionPolicy',
        'ValidatingAdmissionPolicyBinding',
        'ValidatingAdmissionPolicyBinding',
      ]);
      await applyManifests(kc, applied, { fieldManager: 'depot-chart-test' });

      const d = deployment(objects);
      await admitPod(namespace, d);
    },
  );

  test('a root pod template is refused in the same namespace (the admission check can fail)', async () => {
    const namespace = await releaseNamespace('chart-root');
    const d = structuredClone(deployment(renderChart({}, { namespace })));
    d.spec!.template.spec!.securityContext = { ...d.spec!.template.spec!.securityContext, runAsUser: 0 };
    await expect(admitPod(namespace, d)).rejects.toThrow(
      /violates PodSecurity .{0,4}restricted:latest.{0,4}: runAsUser=0 \(pod must not set runAsUser=0\)/,
    );
  });
});
