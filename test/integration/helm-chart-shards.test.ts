// The chart with `shards`: a Deployment and a Service per shard name, the
// arguments the real `depot operator` accepts, the certificate naming every
// shard Service, RBAC for Namespaces and the namespace Leases only then; and
// without shards exactly today's single Deployment.
import type { KubernetesObject, V1Deployment, V1PolicyRule, V1Service } from '@kubernetes/client-node';
import { operatorFlags } from '../kit/chart-flags.js';
import { renderChart, template } from '../kit/helm.js';

const byKind = <T = KubernetesObject>(objects: KubernetesObject[], kind: string) =>
  objects.filter((o) => o.kind === kind) as T[];
const argsOf = (d: V1Deployment) => d.spec!.template.spec!.containers[0]!.args!;
const rulesOf = (objects: KubernetesObject[], kind: string) =>
  (byKind<{ rules: V1PolicyRule[] }>(objects, kind)[0]?.rules ?? []) as V1PolicyRule[];
const grants = (rules: V1PolicyRule[], resource: string, verb: string) =>
  rules.some((r) => r.resources?.includes(resource) && r.verbs.includes(verb));

describe('without shards (the default)', () => {
  const objects = renderChart();

  test('one Deployment named depot-operator, no --shard, no shard label, one Service', () => {
    const deployments = byKind<V1Deployment>(objects, 'Deployment');
    expect(deployments.map((d) => d.metadata!.name)).toEqual(['depot-operator']);
    expect(argsOf(deployments[0]!).some((a) => a.startsWith('--shard'))).toBe(false);
    expect(deployments[0]!.spec!.selector.matchLabels).not.toHaveProperty(['depot.sh/shard']);
    expect(byKind(objects, 'Service').map((s) => s.metadata!.name)).toEqual(['depot-operator']);
  });

  test('no right to read Namespaces or to patch and delete Leases', () => {
    const leaderElection = byKind<{ metadata: { name: string }; rules: V1PolicyRule[] }>(
      objects,
      'Role',
    ).find((r) => r.metadata.name === 'depot-operator-leader-election')!;
    expect(grants(rulesOf(objects, 'ClusterRole'), 'namespaces', 'list')).toBe(false);
    expect(grants(leaderElection.rules, 'leases', 'patch')).toBe(false);
    expect(grants(leaderElection.rules, 'leases', 'delete')).toBe(false);
  });
});

describe('shards: [default, team-b]', () => {
  const objects = renderChart({ shards: ['default', 'team-b'] });
  const deployments = byKind<V1Deployment>(objects, 'Deployment');

  test('a Deployment per shard, selecting only its own pods, with --shard and the shard API URL', () => {
    expect(deployments.map((d) => d.metadata!.name)).toEqual([
      'depot-operator-default',
      'depot-operator-team-b',
    ]);
    for (const [d, shard] of [
      [deployments[0]!, 'default'],
      [deployments[1]!, 'team-b'],
    ] as const) {
      expect(d.spec!.selector.matchLabels).toMatchObject({ 'depot.sh/shard': shard });
      expect(d.spec!.template.metadata!.labels).toMatchObject({ 'depot.sh/shard': shard });
      expect(d.spec!.replicas).toBe(2);
      const flags = operatorFlags(argsOf(d));
      expect(flags).toMatchObject({
        shard,
        leaderElect: true,
        leaderElectionId: 'depot-operator',
        shardApiUrl: 'https://depot-operator-{shard}.depot-system.svc:8082',
        shardApiCa: 'secret',
        apiTlsSecret: 'depot-operator-api-tls',
      });
      expect(flags.apiTlsHosts).toEqual([
        'depot-operator-default.depot-system.svc',
        'depot-operator-team-b.depot-system.svc',
      ]);
    }
  });

  test('a Service per shard beside the one for all replicas (which any request may reach)', () => {
    const services = byKind<V1Service>(objects, 'Service');
    expect(services.map((s) => [s.metadata!.name, s.spec!.selector!['depot.sh/shard']])).toEqual([
      ['depot-operator', undefined],
      ['depot-operator-default', 'default'],
      ['depot-operator-team-b', 'team-b'],
    ]);
    for (const s of services) expect(s.spec!.ports!.map((p) => p.port)).toEqual([8080, 8082]);
  });

  test('RBAC: read Namespaces (their labels), patch and delete the namespace Leases', () => {
    const leaderElection = byKind<{ metadata: { name: string }; rules: V1PolicyRule[] }>(
      objects,
      'Role',
    ).find((r) => r.metadata.name === 'depot-operator-leader-election')!;
    for (const verb of ['get', 'list', 'watch'])
      expect(grants(rulesOf(objects, 'ClusterRole'), 'namespaces', verb)).toBe(true);
    expect(grants(rulesOf(objects, 'ClusterRole'), 'namespaces', 'update')).toBe(false);
    expect(grants(leaderElection.rules, 'leases', 'patch')).toBe(true);
    expect(grants(leaderElection.rules, 'leases', 'delete')).toBe(true);
  });

  test('TLS from mounted files: the proxy trusts the mounted ca.crt; cert-manager names every shard Service', () => {
    const files = byKind<V1Deployment>(
      renderChart({ shards: ['a'], api: { tls: { secretName: 'mine' } } }),
      'Deployment',
    )[0]!;
    expect(operatorFlags(argsOf(files)).shardApiCa).toBe('/etc/depot/api-tls/ca.crt');
    const certificate = renderChart({
      shards: ['a', 'b'],
      api: { tls: { certManager: { enabled: true, issuerRef: { name: 'ca' } } } },
    }).find((o) => o.kind === 'Certificate') as KubernetesObject & { spec: { dnsNames: string[] } };
    expect(certificate.spec.dnsNames).toEqual(
      expect.arrayContaining(['depot-operator-a.depot-system.svc', 'depot-operator-b.depot-system.svc']),
    );
  });

  test('plain HTTP without TLS, and no shard API URL with the HTTP API off', () => {
    const plain = byKind<V1Deployment>(
      renderChart({ shards: ['a'], api: { tls: { mode: 'disabled' } } }),
      'Deployment',
    );
    expect(operatorFlags(argsOf(plain[0]!))).toMatchObject({
      shardApiUrl: 'http://depot-operator-{shard}.depot-system.svc:8082',
    });
    expect(operatorFlags(argsOf(plain[0]!)).shardApiCa).toBeUndefined();
    const off = byKind<V1Deployment>(renderChart({ shards: ['a'], api: { enabled: false } }), 'Deployment');
    expect(operatorFlags(argsOf(off[0]!)).shardApiUrl).toBeUndefined();
  });
});

describe('shards refused with a message naming the values', () => {
  test.each([
    [
      'without leader election',
      { shards: ['a'], leaderElection: false, replicas: 1 },
      /shards are set but leaderElection is false/,
    ],
    [
      'with watchNamespaces',
      { shards: ['a'], watchNamespaces: ['x'] },
      /shards and watchNamespaces exclude each other/,
    ],
    [
      'a name that is not a DNS label',
      { shards: ['Team_B'] },
      /at '\/shards\/0': 'Team_B' does not match pattern/,
    ],
    ['the same name twice', { shards: ['a', 'a'] }, /at '\/shards': items at 0 and 1 are equal/],
  ])('%s', (_name, values, message) => {
    const r = template(values);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });
});
