// What a proxying replica trusts for another shard's certificate: a PEM file
// (read on each use, so a renewed mount is seen), or the ca.crt of the Secret
// the replicas share (--api-tls-secret; kept for a minute).
import { readFile } from 'node:fs/promises';
import { Secrets } from '../kube/resource.js';
import type { RuntimeDeps } from '../runtime/runtime-deps.js';
import type { CertificateSecretOptions } from './api-certificate-secret.js';

const secretTtlMs = 60_000;

export function shardApiCa(
  deps: Pick<RuntimeDeps, 'client' | 'clock'>,
  ca: string | undefined,
  secret: CertificateSecretOptions | undefined,
): (() => Promise<string | undefined>) | undefined {
  if (ca === undefined) return undefined;
  if (ca !== 'secret') return () => readFile(ca, 'utf8');
  if (!secret) throw new Error('--shard-api-ca=secret needs --api-tls-secret');
  let cached: { pem: string | undefined; at: number } | undefined;
  return async () => {
    const now = deps.clock.now();
    if (cached && now - cached.at < secretTtlMs) return cached.pem;
    const obj = (await deps.client.get(Secrets, secret.namespace, secret.name)) as
      { data?: Record<string, string> } | undefined;
    const b64 = obj?.data?.['ca.crt'];
    cached = { pem: b64 ? Buffer.from(b64, 'base64').toString('utf8') : undefined, at: now };
    return cached.pem;
  };
}
