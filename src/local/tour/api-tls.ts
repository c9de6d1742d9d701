// The tour's HTTP API over TLS, as a client in the cluster would see it: the
// operator's generated certificate is read from its Secret (ca.crt), and
// /api/v1/version is asked on the local port with the certificate checked
// for the Service's name (the name clients in the cluster use).
import { writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { OperatorContainer } from '../deployment-process.js';

export interface TourApi {
  url: string;
  /** The CA the API's certificate is checked against (the Secret's ca.crt). */
  caFile: string;
  /** The Secret it came from, namespace/name. */
  secret: string;
  /** The name the certificate was checked for. */
  servername: string;
}

/** The value of `--flag=value` in the container's command line. */
function flag(c: OperatorContainer, name: string): string | undefined {
  return c.argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

function version(url: string, ca: string, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get(`${url}/version`, { ca, servername, timeout: 2_000 }, (res) => {
      let body = '';
      res.on('data', (b: Buffer) => (body += b.toString()));
      res.on('end', () =>
        res.statusCode === 200
          ? resolve(body)
          : reject(new Error(`${url}/version answered ${res.statusCode}`)),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`${url}/version: no answer in 2s`)));
    req.on('error', reject);
  });
}

/**
 * Waits until the API on 127.0.0.1:`port` answers over TLS with the
 * certificate of the container's --api-tls-secret; undefined when the
 * container does not generate one.
 */
export async function tourApi(
  admin: KubeConfig,
  c: OperatorContainer,
  port: number,
  stateDir: string,
  deadline: number,
): Promise<TourApi | undefined> {
  const name = flag(c, '--api-tls-secret');
  if (!name) return undefined;
  const namespace = flag(c, '--api-tls-secret-namespace') ?? c.namespace;
  const service = flag(c, '--api-tls-service');
  const servername = service ? `${service}.${namespace}.svc` : '127.0.0.1';
  const url = `https://127.0.0.1:${port}/api/v1`;
  const core = admin.makeApiClient(CoreV1Api);
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const secret = await core.readNamespacedSecret({ namespace, name });
      const ca = Buffer.from(secret.data?.['ca.crt'] ?? '', 'base64').toString('utf8');
      await version(url, ca, servername);
      const caFile = join(stateDir, 'api-ca.crt');
      writeFileSync(caFile, ca);
      return { url, caFile, secret: `${namespace}/${name}`, servername };
    } catch (err) {
      last = err;
    }
    await sleep(300);
  }
  throw new Error(
    `the HTTP API on ${url} did not answer over TLS with the certificate of Secret ${namespace}/${name}: ${String((last as Error)?.message ?? last)}`,
  );
}
