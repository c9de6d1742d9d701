// What the HTTP API tests share: ServiceAccount tokens from the TokenRequest
// API (audience depot) with a Role in the test namespace, the address the operator's HTTP API
// logged when it started listening, and TLS as the chart sets it up (the
// operator's generated certificate, whose CA the test process trusts).
import { CoreV1Api, type KubeConfig, type V1PolicyRule } from '@kubernetes/client-node';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { Secrets } from '../../src/kube/resource.js';
import { eventually } from './eventually.js';
import { grantRole } from './impersonation.js';
import type { OperatorProcess } from './operator-process.js';
import { operatorRbacManifests, operatorServiceAccount } from './operator-rbac.js';
import { testClient } from './test-client.js';

/** A ServiceAccount in `ns` allowed `rules` there, and a token for it made for `audiences` (Depot's by default). */
export async function serviceAccountToken(
  kc: KubeConfig,
  ns: string,
  name: string,
  rules: V1PolicyRule[],
  audiences: string[] = ['depot'],
): Promise<string> {
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name } } });
  if (rules.length > 0)
    await grantRole(kc, ns, name, [{ kind: 'ServiceAccount', name, namespace: ns }], rules);
  const token = await core.createNamespacedServiceAccountToken({
    name,
    namespace: ns,
    body: { spec: { audiences, expirationSeconds: 3600 } },
  });
  return token.status!.token!;
}

/** http(s)://127.0.0.1:PORT/api/v1 of an operator started with `--api-addr 127.0.0.1:0` (https when it logs TLS). */
export async function apiBase(operator: OperatorProcess): Promise<string> {
  return eventuallyWithApiLines(operator, 'the operator logs that its HTTP API listens', async () => {
    const line = operator
      .output()
      .split('\n')
      .find((l) => l.includes('"HTTP API listening"'));
    if (!line) return undefined;
    const { address, tls } = JSON.parse(line) as { address: string; tls: string | false };
    const scheme = tls ? 'https' : 'http';
    return `${scheme}://127.0.0.1:${address.split(':').pop()}/api/v1`;
  });
}

/** On a timeout, the operator's every log line about its HTTP API (its certificate, retries) joins the error. */
async function eventuallyWithApiLines<T>(
  operator: OperatorProcess,
  what: string,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  try {
    return await eventually(what, probe, 60_000);
  } catch (err) {
    const lines = operator
      .output()
      .split('\n')
      .filter((l) => l.includes('HTTP API'));
    throw new Error(
      `${(err as Error).message}; the operator's HTTP API lines:\n${lines.join('\n') || '(none)'}`,
      {
        cause: err,
      },
    );
  }
}

/** The Secret of the operator's generated certificate, as the chart names it (its Role's resourceNames). */
export async function generatedTlsSecretName(): Promise<string> {
  const role = (await operatorRbacManifests()).find(
    (o) =>
      o.kind === 'Role' &&
      (o as { rules?: V1PolicyRule[] }).rules?.some((r) => r.resources?.includes('secrets')),
  ) as { rules: V1PolicyRule[] } | undefined;
  const name = role?.rules.find((r) => r.resourceNames?.length)?.resourceNames?.[0];
  if (!name) throw new Error("the chart's RBAC has no Role for the HTTP API certificate's Secret");
  return name;
}

/**
 * The operator flags of the chart's default TLS (a generated certificate in
 * the operator's namespace, for the Service `depot-operator` and 127.0.0.1,
 * where the tests reach it) and where its Secret is.
 */
export async function generatedTls(
  opts: { lifetime?: string; namespace?: string } = {},
): Promise<{ args: string[]; namespace: string; secret: string }> {
  // The operator's namespace, where the chart's Role grants its Secret.
  const namespace = opts.namespace ?? (await operatorServiceAccount()).namespace;
  const secret = await generatedTlsSecretName();
  const args = [
    '--api-tls-secret',
    secret,
    '--api-tls-secret-namespace',
    namespace,
    '--api-tls-service',
    'depot-operator',
    '--api-tls-hosts',
    '127.0.0.1,localhost',
    ...(opts.lifetime ? ['--api-tls-lifetime', opts.lifetime] : []),
  ];
  return { args, namespace, secret };
}

/** The Secret's ca.crt once an operator wrote it; this test process trusts it from then on (fetch included). */
export async function trustApiCa(kc: KubeConfig, namespace: string, secret: string): Promise<string> {
  const { client, close } = testClient(kc);
  try {
    const ca = await eventually(`Secret ${namespace}/${secret} holds ca.crt`, async () => {
      const s = await client.get<{ data?: Record<string, string> }>(Secrets, namespace, secret);
      const b64 = s?.data?.['ca.crt'];
      return b64 && Buffer.from(b64, 'base64').toString('utf8');
    });
    setDefaultCACertificates([...getCACertificates('default'), ca]);
    return ca;
  } finally {
    await close();
  }
}
