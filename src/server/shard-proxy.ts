// Shards: every replica answers for every namespace. A request for a
// namespace another shard holds (its Lease; while it moves, the shard its
// label chooses) is passed as it is, token included, to that shard's Service
// (--shard-api-url with {shard}), which authenticates and authorizes it
// itself. One hop at most: a passed request is never passed again.
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { HttpError } from './http-error.js';
import type { Exchange, Reply, Stage } from './stages.js';

/** What the proxy needs to know of the shards (runtime/shard-membership.ts). */
export interface ShardDirectory {
  readonly shard: string;
  holderOf(namespace: string): string | undefined;
  wantedOf(namespace: string): string | undefined;
}

export interface ShardProxyOptions {
  /** e.g. https://depot-operator-{shard}.depot-system.svc:8082 */
  urlTemplate: string;
  /** PEM the other shards' certificates are checked against (https); undefined: the system's CAs. */
  ca?: () => Promise<string | undefined>;
  timeoutMs?: number;
}

export const SHARD_HOP_HEADER = 'x-depot-shard-hop';
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
]);
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

/** The shard that answers for a namespace: its holder, else (moving, or no Lease yet) the one its label chooses. */
export function answeringShard(dir: ShardDirectory, namespace: string): string | undefined {
  return dir.holderOf(namespace) || dir.wantedOf(namespace);
}

export function shardProxyStage(dir: ShardDirectory, opts: ShardProxyOptions): Stage {
  return async (x) => {
    const namespace = x.match?.namespace;
    if (!namespace) return undefined;
    const shard = answeringShard(dir, namespace);
    if (!shard || shard === dir.shard) return undefined;
    if (x.req.headers[SHARD_HOP_HEADER])
      throw new HttpError(
        503,
        'Unavailable',
        `namespace ${namespace} is moving between shards; retry shortly`,
      );
    x.routeLabel = `${x.routeLabel} (shard ${shard})`;
    return forward(x, new URL(x.req.url ?? '/', opts.urlTemplate.replaceAll('{shard}', shard)), shard, opts);
  };
}

async function forward(x: Exchange, target: URL, shard: string, opts: ShardProxyOptions): Promise<Reply> {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(x.req.headers))
    if (!hopByHop.has(name) && value !== undefined) headers[name] = value;
  const from = x.req.socket.remoteAddress ?? '';
  const forwarded = x.req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = forwarded ? `${String(forwarded)}, ${from}` : from;
  headers[SHARD_HOP_HEADER] = '1';
  const ca = target.protocol === 'https:' ? await opts.ca?.() : undefined;
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<Reply>((resolve, reject) => {
    const out = send(
      target,
      { method: x.method, headers, timeout: opts.timeoutMs ?? 30_000, ...(ca ? { ca } : {}) },
      (res) => collect(res, x).then(resolve, reject),
    );
    out.on('timeout', () => out.destroy(new Error('timed out')));
    out.on('error', (err) =>
      reject(
        new HttpError(502, 'BadGateway', `shard ${shard} (${target.host}) did not answer: ${err.message}`),
      ),
    );
    x.req.pipe(out);
  });
}

async function collect(res: IncomingMessage, x: Exchange): Promise<Reply> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
    if (size > MAX_ANSWER_BYTES)
      throw new HttpError(502, 'BadGateway', 'the shard answered more than 64 MiB');
    chunks.push(chunk as Buffer);
  }
  for (const [name, value] of Object.entries(res.headers))
    if (!hopByHop.has(name) && name !== 'content-type' && value !== undefined) x.res.setHeader(name, value);
  return {
    status: res.statusCode ?? 502,
    body: chunks.length ? Buffer.concat(chunks) : undefined,
    type: res.headers['content-type'],
  };
}
