// How many list+watch streams a shard keeps open: N namespaces labelled for
// one shard (empty of Depot objects: the count does not depend on them), the
// built operator with --shard, and its depot_informer_watches once it holds
// them all; the same operator unsharded for comparison. Also the TCP
// connections it holds to the API server (from /proc), its watch requests per
// second over a quiet minute once it holds everything (reconnects), and the
// load average. On its own control plane:
//   npx tsx bench/shard-watches.ts [--namespaces 1000] [--steady-seconds 60]
import { CoreV1Api } from '@kubernetes/client-node';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { projectRoot } from '../src/local/project-root.js';
import { BenchCluster } from './cluster.js';
import { OperatorProcess } from './operator-process.js';
import { sumOf } from './prometheus-text.js';
import { connectionsTo } from './sockets.js';

const arg = process.argv.indexOf('--namespaces');
const N = arg > 0 ? Number(process.argv[arg + 1]) : 1000;
const steadyArg = process.argv.indexOf('--steady-seconds');
const steadySeconds = steadyArg > 0 ? Number(process.argv[steadyArg + 1]) : 60;
const root = projectRoot();
const dir = mkdtempSync(join(tmpdir(), 'depot-shard-watches-'));
const log = (line: string) => process.stderr.write(`${line}\n`);

async function measure(cluster: BenchCluster, flags: string[], done: (m: Metrics) => boolean) {
  const apiPort = Number(new URL(cluster.kc.getCurrentCluster()!.server).port);
  const op = await OperatorProcess.start({
    root,
    kubeconfig: cluster.kubeconfig,
    flags: [...flags, '--leader-election-namespace', 'default', '--log-level', 'warn'],
    logPath: join(dir, `operator-${flags.join('_') || 'unsharded'}.log`),
    pidFile: join(dir, 'operator.pid'),
  });
  const t0 = Date.now();
  const reading = (m: Metrics) => ({
    ...m,
    rss_mib: op.memory()?.rss_mib,
    api_connections: connectionsTo(op.pid, apiPort),
    loadavg: loadAverage(),
  });
  try {
    for (;;) {
      const m = await metricsOf(op).catch(() => undefined);
      if (m) log(JSON.stringify({ at_s: (Date.now() - t0) / 1000, ...reading(m) }));
      if (m && done(m)) {
        const held = { seconds: (Date.now() - t0) / 1000, ...reading(m) };
        // Holding everything, nothing changes: what remains is reconnects.
        await sleep(steadySeconds * 1000);
        const after = await metricsOf(op);
        const steady = {
          seconds: steadySeconds,
          watch_requests_per_s: round2((after.watchRequests - m.watchRequests) / steadySeconds),
          ...reading(after),
        };
        return { held, steady };
      }
      if (Date.now() - t0 > 15 * 60_000) {
        log(`the operator did not get there in 15 minutes: ${JSON.stringify(m && reading(m))}`);
        return { gave_up_after_s: (Date.now() - t0) / 1000, last: m && reading(m) };
      }
      await sleep(2000);
    }
  } finally {
    await op.stop('SIGTERM');
  }
}

function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

interface Metrics {
  watches: number;
  owned: number;
  synced: number;
  informers: number;
  /** The watch pool's connections, as undici counts them (absent before the pool existed: 0). */
  watchConnections: number;
  /** Watch requests made so far (each connect or reconnect of a watch). */
  watchRequests: number;
}

async function metricsOf(op: OperatorProcess): Promise<Metrics> {
  const s = await op.metrics();
  return {
    watches: sumOf(s, 'depot_informer_watches'),
    owned: sumOf(s, 'depot_shard_owned_namespaces'),
    synced: sumOf(s, 'depot_informer_synced'),
    informers: s.filter((x) => x.name === 'depot_informer_synced').length,
    watchConnections: sumOf(s, 'depot_api_connections', { pool: 'watches' }),
    watchRequests: s
      .filter((x) => x.name === 'depot_api_requests_total' && x.labels.verb === 'watch')
      .reduce((n, x) => n + x.value, 0),
  };
}

const cluster = await BenchCluster.start(root, join(dir, 'cp'), log);
const core = cluster.kc.makeApiClient(CoreV1Api);
try {
  log(`creating ${N} namespaces labelled depot.sh/shard=a`);
  for (let i = 0; i < N; i += 50)
    await Promise.all(
      Array.from({ length: Math.min(50, N - i) }, (_, j) =>
        core.createNamespace({
          body: {
            metadata: { name: `team-${String(i + j).padStart(4, '0')}`, labels: { 'depot.sh/shard': 'a' } },
          },
        }),
      ),
    );
  const unsharded = await measure(cluster, [], (m) => m.informers > 0 && m.synced === m.informers);
  const sharded = await measure(
    cluster,
    ['--shard', 'a'],
    (m) => m.owned >= N && m.informers > 0 && m.synced === m.informers,
  );
  process.stdout.write(`${JSON.stringify({ namespaces: N, unsharded, sharded }, null, 2)}\n`);
} finally {
  cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}
