// Raw GETs against the test API server for what the typed clients cannot ask
// for: discovery documents and server-side printed tables (printer columns).
import { request, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

export async function getJson<T>(kc: KubeConfig, path: string, accept = 'application/json'): Promise<T> {
  const server = new URL(kc.getCurrentCluster()!.server);
  const opts: RequestOptions = {
    hostname: server.hostname,
    port: server.port,
    path,
    method: 'GET',
    headers: { Accept: accept },
  };
  await kc.applyToHTTPSOptions(opts);
  return new Promise<T>((resolve, reject) => {
    const req = request(opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 500) >= 300) reject(new Error(`GET ${path}: ${res.statusCode} ${body}`));
        else resolve(JSON.parse(body) as T);
      });
    });
    req.on('error', reject);
    req.end();
  });
}
