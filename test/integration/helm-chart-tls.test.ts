// TLS of the HTTP API in the Helm chart, per api.tls.mode: by default the
// operator's generated certificate (its flags, and a Role for exactly its
// Secret plus create); a Secret of yours; cert-manager's Certificate with the
// Service's names; plain HTTP only when asked for by name. The `helm test`
// pod checks the certificate against the Secret's ca.crt in every TLS mode.
import type { KubernetesObject, V1Deployment, V1Pod, V1PolicyRule } from '@kubernetes/client-node';
import { lint, renderChart, template } from '../kit/helm.js';
import { operatorFlags } from '../kit/chart-flags.js';

type Role = KubernetesObject & { rules: V1PolicyRule[] };
type Certificate = KubernetesObject & {
  spec: {
    secretName: string;
    duration: string;
    renewBefore: string;
    dnsNames: string[];
    ipAddresses?: string[];
    issuerRef: { name: string; kind: string; group: string };
  };
};

const render = (tls: object, ns = 'ops') =>
  renderChart({ api: { tls } }, { namespace: ns, includeTests: true });
const of = <T>(objects: KubernetesObject[], kind: string) => objects.filter((o) => o.kind === kind) as T[];
const operator = (objects: KubernetesObject[]) =>
  of<V1Deployment>(objects, 'Deployment')[0]!.spec!.template.spec!;
const flags = (objects: KubernetesObject[]) => operatorFlags(operator(objects).containers[0]!.args!);
const testPod = (objects: KubernetesObject[]) =>
  of<V1Pod>(objects, 'Pod').find((p) => p.metadata?.annotations?.['helm.sh/hook'] === 'test')!;
const env = (pod: V1Pod) => Object.fromEntries(pod.spec!.containers[0]!.env!.map((e) => [e.name, e.value]));
const secretRoles = (objects: KubernetesObject[]) =>
  of<Role>(objects, 'Role').filter((r) => r.rules.some((rule) => rule.resources?.includes('secrets')));

/** The test pod trusts ca.crt of `secret`, optional (a public CA's Secret has none). */
function expectTestPodTrusts(objects: KubernetesObject[], secret: string) {
  const pod = testPod(objects);
  expect(env(pod)).toMatchObject({
    DEPOT_API_URL: 'https://depot-operator.ops.svc:8082',
    NODE_EXTRA_CA_CERTS: '/etc/depot/api-ca/ca.crt',
  });
  expect(env(pod)).not.toHaveProperty('NODE_TLS_REJECT_UNAUTHORIZED');
  expect(pod.spec!.volumes).toEqual([
    {
      name: 'api-ca',
      secret: { secretName: secret, items: [{ key: 'ca.crt', path: 'ca.crt' }], optional: true },
    },
  ]);
  expect(pod.spec!.containers[0]!.volumeMounts).toEqual([
    { name: 'api-ca', mountPath: '/etc/depot/api-ca', readOnly: true },
  ]);
}

describe('default: the operator generates the certificate', () => {
  const objects = render({});

  test('every replica keeps it in depot-operator-api-tls, for the Service and the configured hosts', () => {
    expect(flags(objects)).toMatchObject({
      apiTlsSecret: 'depot-operator-api-tls',
      apiTlsSecretNamespace: 'ops',
      apiTlsService: 'depot-operator',
      apiTlsLifetime: 2160 * 3_600_000,
    });
    expect(flags(objects).apiTlsCert).toBeUndefined();
    expect(flags(render({ hosts: ['depot.example.com', '10.0.0.5'], duration: '720h' }))).toMatchObject({
      apiTlsHosts: ['depot.example.com', '10.0.0.5'],
      apiTlsLifetime: 720 * 3_600_000,
    });
    expect(operator(objects).volumes).toBeUndefined();
  });

  test('RBAC: get/update of exactly that Secret, and create (which RBAC cannot limit by name)', () => {
    const roles = secretRoles(objects);
    expect(roles).toHaveLength(1);
    expect(roles[0]!.metadata!.namespace).toBe('ops');
    expect(roles[0]!.rules).toEqual([
      {
        apiGroups: [''],
        resources: ['secrets'],
        resourceNames: ['depot-operator-api-tls'],
        verbs: ['get', 'update'],
      },
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
    ]);
    const binding = of<KubernetesObject & { roleRef: { name: string }; subjects: { name: string }[] }>(
      objects,
      'RoleBinding',
    ).find((b) => b.roleRef.name === roles[0]!.metadata!.name)!;
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'depot-operator', namespace: 'ops' }]);
    expect(of(objects, 'Certificate')).toEqual([]);
  });

  test('helm test checks the certificate against the generated CA', () =>
    expectTestPodTrusts(objects, 'depot-operator-api-tls'));
});

describe('a Secret of yours', () => {
  test.each([
    ['auto, with secretName', { secretName: 'my-tls' }],
    ['mode secret', { mode: 'secret', secretName: 'my-tls' }],
  ])('%s: mounted and reloaded from files; no Secret rights', (_name, tls) => {
    const objects = render(tls);
    expect(flags(objects)).toMatchObject({
      apiTlsCert: '/etc/depot/api-tls/tls.crt',
      apiTlsKey: '/etc/depot/api-tls/tls.key',
    });
    expect(flags(objects).apiTlsSecret).toBeUndefined();
    expect(operator(objects).volumes).toEqual([{ name: 'api-tls', secret: { secretName: 'my-tls' } }]);
    expect(secretRoles(objects)).toEqual([]);
    expectTestPodTrusts(objects, 'my-tls');
  });

  test('mode secret without secretName is refused, naming the value', () => {
    const r = template({ api: { tls: { mode: 'secret' } } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('api.tls.mode secret needs api.tls.secretName');
  });
});

describe('cert-manager', () => {
  const tls = {
    certManager: { enabled: true, issuerRef: { name: 'corp-ca', kind: 'ClusterIssuer' } },
    hosts: ['depot.example.com', '10.0.0.5'],
    duration: '720h',
  };

  test('a Certificate with the Service names and hosts, renewed with a third left, mounted by the operator', () => {
    const objects = render(tls);
    const [cert] = of<Certificate>(objects, 'Certificate');
    expect(cert!.apiVersion).toBe('cert-manager.io/v1');
    expect(cert!.spec).toMatchObject({
      secretName: 'depot-operator-api-tls',
      duration: '720h',
      renewBefore: '240h',
      dnsNames: [
        'depot-operator',
        'depot-operator.ops',
        'depot-operator.ops.svc',
        'depot-operator.ops.svc.cluster.local',
        'depot.example.com',
      ],
      ipAddresses: ['10.0.0.5'],
      issuerRef: { name: 'corp-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' },
    });
    expect(flags(objects)).toMatchObject({ apiTlsCert: '/etc/depot/api-tls/tls.crt' });
    expect(operator(objects).volumes).toEqual([
      { name: 'api-tls', secret: { secretName: 'depot-operator-api-tls' } },
    ]);
    expect(secretRoles(objects)).toEqual([]);
    expectTestPodTrusts(objects, 'depot-operator-api-tls');
  });

  test('without an issuer it is refused, naming the value', () => {
    const r = template({ api: { tls: { certManager: { enabled: true } } } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('api.tls.mode certManager needs api.tls.certManager.issuerRef.name');
  });
});

describe('plain HTTP only when asked for by name', () => {
  test('mode disabled: no TLS flag, no certificate, no Secret rights, helm test over http', () => {
    const objects = render({ mode: 'disabled' });
    const f = flags(objects);
    expect([f.apiTlsCert, f.apiTlsSecret]).toEqual([undefined, undefined]);
    expect(of(objects, 'Certificate')).toEqual([]);
    expect(secretRoles(objects)).toEqual([]);
    expect(env(testPod(objects))).toEqual(
      expect.objectContaining({ DEPOT_API_URL: 'http://depot-operator.ops.svc:8082' }),
    );
    expect(env(testPod(objects))).not.toHaveProperty('NODE_EXTRA_CA_CERTS');
  });

  test('no other value turns TLS off: an empty secretName, a made-up mode', () => {
    expect(flags(render({ secretName: '' })).apiTlsSecret).toBe('depot-operator-api-tls');
    const r = template({ api: { tls: { mode: 'off' } } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(
      /at '\/api\/tls\/mode': value must be one of 'auto', 'secret', 'certManager', 'generated', 'disabled'/,
    );
  });

  test('the HTTP API off renders no TLS at all', () => {
    const objects = renderChart({ api: { enabled: false } }, { namespace: 'ops', includeTests: true });
    expect(secretRoles(objects)).toEqual([]);
    expect(flags(objects).apiTlsSecret).toBeUndefined();
    expect(env(testPod(objects))).not.toHaveProperty('DEPOT_API_URL');
  });
});

test.each([
  ['generated', {}],
  ['secret', { mode: 'secret', secretName: 'my-tls' }],
  ['certManager', { certManager: { enabled: true, issuerRef: { name: 'corp-ca' } }, hosts: ['10.0.0.5'] }],
  ['disabled', { mode: 'disabled' }],
])('helm lint passes in mode %s', (_mode, tls) => {
  const r = lint({ api: { tls } });
  expect(r.stderr + r.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
});
