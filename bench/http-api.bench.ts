// Load on the HTTP API's read endpoints (loopback, bounded): C clients for D
// seconds against bench/http-api-server.ts (its own process, N applications),
// polling with If-None-Match: 70% target versions, 10% one application, 10%
// an environment, 10% the whole namespace. Reports requests/s, latency
// percentiles, the share of 304. Run: npx tsx bench/http-api.bench.ts [--clients 50] [--seconds 20] [--apps 1000]
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { percentile, round } from './stats.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const clients = arg('clients', 50);
const seconds = arg('seconds', 20);
const apps = arg('apps', 1000);
const root = join(import.meta.dirname, '..');

const server = spawn(
  process.execPath,
  ['--import', 'tsx', join(root, 'bench', 'http-api-server.ts'), String(apps)],
  {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const port = await new Promise<number>((resolve, reject) => {
  let out = '';
  server.stdout!.on('data', (b: Buffer) => {
    out += b.toString();
    const line = out.split('\n').find((l) => /^\d+$/.test(l.trim()));
    if (line) resolve(Number(line));
  });
  server.once('exit', (code) => reject(new Error(`the server exited (${code})`)));
});

const agent = new Agent({ keepAlive: true, maxSockets: clients });
const targets = ['dev-1', 'dev-2', 'staging-1', 'staging-2', 'prod-1', 'prod-2'];
const envs = ['dev', 'staging', 'prod'];

function get(path: string, etag?: string): Promise<{ status: number; etag?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: `/api/v1/namespaces/bench${path}`,
        agent,
        headers: { Authorization: 'Bearer bench-token', ...(etag ? { 'If-None-Match': etag } : {}) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, etag: res.headers.etag }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const latencies: number[] = [];
const byStatus = new Map<number, number>();
let polls = 0;
let notModified = 0;
let notModifiedPolls = 0;
const deadline = performance.now() + seconds * 1000;

async function client(id: number): Promise<void> {
  const etags = new Map<string, string>();
  let i = id;
  while (performance.now() < deadline) {
    i++;
    const r = i % 10;
    const path =
      r < 7
        ? `/targets/${targets[i % targets.length]}/versions`
        : r === 7
          ? `/applications/app-${(i * 7919) % apps}`
          : r === 8
            ? `/environments/${envs[i % envs.length]}/versions`
            : '/applications';
    const started = performance.now();
    const res = await get(path, etags.get(path));
    latencies.push((performance.now() - started) / 1000);
    byStatus.set(res.status, (byStatus.get(res.status) ?? 0) + 1);
    if (res.etag) etags.set(path, res.etag);
    if (res.status === 304) notModified++;
    if (r < 7) {
      polls++;
      if (res.status === 304) notModifiedPolls++;
    }
  }
}

const loadAtStart = loadavg().map((l) => round(l, 2));
const started = performance.now();
await Promise.all(Array.from({ length: clients }, (_, id) => client(id)));
const elapsed = (performance.now() - started) / 1000;
server.kill('SIGTERM');
agent.destroy();

const total = latencies.length;
const result = {
  when: new Date().toISOString(),
  clients,
  seconds,
  applications: apps,
  requests: total,
  requests_per_s: round(total / elapsed, 1),
  latency_ms: {
    p50: round(percentile(latencies, 50) * 1000, 2),
    p90: round(percentile(latencies, 90) * 1000, 2),
    p99: round(percentile(latencies, 99) * 1000, 2),
    max: round(latencies.reduce((a, b) => Math.max(a, b), 0) * 1000, 2),
  },
  status_codes: Object.fromEntries([...byStatus].sort()),
  share_304_of_all: round(notModified / total, 3),
  share_304_of_target_polls: round(notModifiedPolls / polls, 3),
  load_average_at_start: loadAtStart,
  cores: cpus().length,
};
writeFileSync(join(root, 'bench', 'results', 'http-api.json'), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
