// TLS of the HTTP API by default: two operator processes (the chart's two
// replicas) start at once and race to create the certificate's Secret; both
// serve the one certificate that won, which names the Service and the
// configured host; with a short lifetime it is rotated and both replicas
// serve the new one to new connections, without a restart.
import { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import { freshNamespace } from '../controlplane/env.js';
import { cluster } from '../kit/cluster.js';
import { eventually } from '../kit/eventually.js';
import { apiBase, generatedTls, trustApiCa } from '../kit/http-api.js';
import { FAST_LEADER_ELECTION, runOperator } from '../kit/operator.js';
import type { OperatorProcess } from '../kit/operator-process.js';
import { Secrets } from '../../src/kube/resource.js';

const k = cluster();
let replicas: OperatorProcess[] = [];
let tls: Awaited<ReturnType<typeof generatedTls>>;
let ca: string;

type TlsSecret = { metadata: { resourceVersion: string }; data: Record<string, string> };
const secretCert = async () => {
  const s = await k.read<TlsSecret>(Secrets, tls.namespace, tls.secret);
  return new X509Certificate(Buffer.from(s.data['tls.crt']!, 'base64'));
};

/** The certificate a new TLS connection to `base` is served, verified against the Secret's CA. */
function servedCertificate(base: string): Promise<string> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: url.hostname, port: Number(url.port), ca, servername: 'localhost' },
      () => {
        const fingerprint = socket.getPeerX509Certificate()!.fingerprint256;
        socket.end();
        resolve(fingerprint);
      },
    );
    socket.once('error', reject);
  });
}

const issuedLines = () =>
  replicas
    .flatMap((r) => r.output().split('\n'))
    .filter((l) => l.includes('"HTTP API: issued a new TLS certificate"'));

beforeAll(async () => {
  const ns = await freshNamespace(k.kc, 'tls');
  // 45 s: rotation at 30 s, after both replicas have started and been checked.
  tls = await generatedTls({ lifetime: '45s' });
  const replica = () =>
    runOperator(ns, {
      leaderElect: true,
      args: [
        '--api-addr',
        '127.0.0.1:0',
        '--leader-election-namespace',
        tls.namespace,
        '--leader-election-id',
        `depot-tls-${ns}`,
        ...FAST_LEADER_ELECTION,
        ...tls.args,
      ],
    });
  replicas = await Promise.all([replica(), replica()]);
}, 120_000);

afterAll(async () => Promise.all(replicas.map((r) => r.stop())));

test('both replicas serve, over https, the one certificate the first of them created', async () => {
  const bases = await Promise.all(replicas.map((r) => apiBase(r)));
  for (const base of bases) expect(base).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/api\/v1$/);
  ca = await trustApiCa(k.kc, tls.namespace, tls.secret);
  const stored = await secretCert();
  const served = await Promise.all(bases.map(servedCertificate));
  expect(served).toEqual([stored.fingerprint256, stored.fingerprint256]);
  // One replica issued it; the other lost the race (409) or found it, and adopted it.
  expect(issuedLines()).toHaveLength(1);
  // A client that trusts the CA talks to the API; plain HTTP to the port gets nothing.
  const res = await fetch(`${bases[0]}/version`);
  expect(res.status).toBe(200);
  await expect(fetch(bases[0]!.replace('https:', 'http:') + '/version')).rejects.toThrow();
}, 90_000);

test('the certificate names the Service four ways and the configured hosts, signed by ca.crt', async () => {
  const cert = await secretCert();
  const sans = cert.subjectAltName!.split(', ');
  expect(sans).toEqual(
    expect.arrayContaining([
      'DNS:depot-operator',
      `DNS:depot-operator.${tls.namespace}`,
      `DNS:depot-operator.${tls.namespace}.svc`,
      `DNS:depot-operator.${tls.namespace}.svc.cluster.local`,
      'DNS:localhost',
      'IP Address:127.0.0.1',
    ]),
  );
  expect(cert.verify(new X509Certificate(ca).publicKey)).toBe(true);
  expect(cert.checkHost('depot-operator.other-namespace.svc')).toBeUndefined();
});

test('a rotation is served by both replicas to new connections, without a restart', async () => {
  const bases = await Promise.all(replicas.map((r) => apiBase(r)));
  const pids = replicas.map((r) => r.child.pid);
  const first = await secretCert();
  const rotated = await eventually(
    'the certificate is rotated with a third of its lifetime left',
    async () => {
      const now = await secretCert();
      return now.fingerprint256 !== first.fingerprint256 && now;
    },
    60_000,
    500,
  );
  expect(new Date(rotated.validTo).getTime()).toBeGreaterThan(new Date(first.validTo).getTime());
  await eventually(
    'both replicas serve the rotated certificate',
    async () => {
      const served = await Promise.all(bases.map(servedCertificate));
      return served.every((f) => f === rotated.fingerprint256);
    },
    30_000,
    500,
  );
  // Same processes; the CA did not change, so a client trusting ca.crt keeps working.
  expect(replicas.map((r) => r.child.pid)).toEqual(pids);
  expect(replicas.every((r) => r.child.exitCode === null)).toBe(true);
  expect(rotated.verify(new X509Certificate(ca).publicKey)).toBe(true);
  expect((await fetch(`${bases[1]}/version`)).status).toBe(200);
  expect(issuedLines().length).toBeGreaterThanOrEqual(2);
}, 120_000);
