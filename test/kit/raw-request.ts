// Raw requests to the test API server for what Depot's client does not ask
// for: discovery documents, server-side printed tables (printer columns) and
// dry runs. A refusal is a KubeApiError with the HTTP status as `code`.
import { request, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeApiError } from '../../src/kube/errors.js';

export const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

export interface RawRequest {
  method: 'GET' | 'PATCH';
  path: string;
  accept?: string;
  body?: { json: object; contentType: string };
}

export async function rawRequest<T>(kc: KubeConfig, req: RawRequest): Promise<T> {
  return JSON.parse(await rawBody(kc, req)) as T;
}

/** The body of a GET as text (the API server's /metrics, for one). */
export const getText = (kc: KubeConfig, path: string): Promise<string> =>
  rawBody(kc, { method: 'GET', path, accept: 'text/plain' });

async function rawBody(kc: KubeConfig, req: RawRequest): Promise<string> {
  const server = new URL(kc.getCurrentCluster()!.server);
  const opts: RequestOptions = {
    hostname: server.hostname,
    port: server.port,
    path: req.path,
    method: req.method,
    headers: {
      Accept: req.accept ?? 'application/json',
      ...(req.body ? { 'Content-Type': req.body.contentType } : {}),
    },
  };
  await kc.applyToHTTPSOptions(opts);
  return new Promise<string>((resolve, reject) => {
    const r = request(opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const code = res.statusCode ?? 500;
        if (code >= 300) reject(new KubeApiError(code, `${req.method} ${req.path}: ${code} ${body}`));
        else resolve(body);
      });
    });
    r.on('error', reject);
    r.end(req.body ? JSON.stringify(req.body.json) : undefined);
  });
}

export const getJson = <T>(kc: KubeConfig, path: string, accept = 'application/json'): Promise<T> =>
  rawRequest<T>(kc, { method: 'GET', path, accept });
