// What one status write of a Depot Application costs the API server, and why:
// converge_1k_argocd's world (N Applications, 3 environments × 2 Argo CD
// Targets, a dev change delivered), the operator stopped, then status merge
// patches (the whole status as the operator would write it; one field), a
// CPU profile of the API server while it takes them (go tool pprof), the
// same small patch with parts of the object removed in turn (managedFields,
// history, targets and environments) to show what the cost follows, and for
// reference Argo CD Application patches. API-server CPU ms per write (/proc).
//   npx tsx bench/status-write-cost.ts [--apps 300]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { projectRoot } from '../src/local/project-root.js';
import { ArgocdWorld } from './argocd-world.js';
import { forEachBounded } from './bounded.js';
import { OperatorProcess } from './operator-process.js';
import { touchedStatus } from './scenarios/baseline.js';
import { readStatuses } from './scenarios/converge.js';
import type { RunEnv } from './scenario.js';

const arg = process.argv.indexOf('--apps');
const N = arg > 0 ? Number(process.argv[arg + 1]) : 300;
const root = projectRoot();
const benchDir = mkdtempSync(join(tmpdir(), 'depot-status-cost-'));
const log = (line: string) => process.stderr.write(`${line}\n`);
const controller = new AbortController();
const env: RunEnv = {
  root,
  benchDir,
  opts: {
    kind: 'custom',
    apps: N,
    memoryApps: N,
    out: join(benchDir, 'out.json'),
    budgetS: 3600,
    concurrency: 8,
    latencyChanges: 1,
    idleSeconds: 1,
    memoryIdleSeconds: 1,
  },
  operatorDefaults: {},
  signal: controller.signal,
  log,
  startOperator: (kubeconfig, flags) =>
    OperatorProcess.start({
      root,
      kubeconfig,
      flags,
      logPath: join(benchDir, 'operator.log'),
      pidFile: join(benchDir, 'operator.pid'),
    }),
};

async function rawRequest(kc: KubeConfig, method: string, path: string, body?: unknown): Promise<Buffer> {
  const url = new URL(path, kc.getCurrentCluster()!.server);
  const opts: RequestOptions = {
    method,
    headers: body ? { 'content-type': 'application/merge-patch+json' } : {},
  };
  await kc.applyToHTTPSOptions(opts);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        res.statusCode === 200
          ? resolve(Buffer.concat(chunks))
          : reject(new Error(`${method} ${path}: ${res.statusCode} ${Buffer.concat(chunks).toString()}`)),
      );
    });
    req.on('error', reject);
    if (body) req.write(JSON.stringify(body));
    req.end();
  });
}

async function main() {
  const world = await ArgocdWorld.setup(env, { namespace: 'bench', apps: N });
  const apps = world.apps;
  const cluster = apps.cluster;
  const deadline = Date.now() + 3600_000;
  try {
    await apps.ensureApps({ env, deadline }, 0.9);
    const names = apps.names;
    await apps.setVersions(names, 'dev', () => '1.1.0', deadline);
    const w = await apps.waitConverged(names, deadline, ['dev']);
    log(`converged: ${w.done}`);
    await new Promise((r) => setTimeout(r, 5000));
    await apps.stopOperator('SIGTERM');
    const statuses = await readStatuses(apps);
    const one = await cluster.client.get('applications', 'bench', names[0]!);
    log(
      `object bytes ${JSON.stringify(one).length}, managedFields bytes ${JSON.stringify((one.metadata as { managedFields?: unknown }).managedFields ?? []).length}, status bytes ${JSON.stringify(one.status).length}`,
    );
    log(JSON.stringify(one));

    async function measure(label: string, body: (name: string, i: number) => unknown) {
      const before = await cluster.read();
      const t = Date.now();
      await forEachBounded(
        names,
        (name) => cluster.client.mergePatchStatus('applications', 'bench', name, body(name, 0)),
        { concurrency: 16, deadline, signal: controller.signal },
      );
      const after = await cluster.read();
      const ms = ((after.cpu.apiserver - before.cpu.apiserver) * 1000) / names.length;
      const etcd = ((after.cpu.etcd - before.cpu.etcd) * 1000) / names.length;
      log(
        `${label}: ${ms.toFixed(2)} ms apiserver, ${etcd.toFixed(2)} ms etcd per write; ${((Date.now() - t) / 1000).toFixed(1)} s`,
      );
    }
    let k = 0;
    const stamp = () =>
      `2026-12-07T00:${String(Math.floor(k / 60) % 60).padStart(2, '0')}:${String(k++ % 60).padStart(2, '0')}Z`;
    await measure('whole status', (n) => ({ status: touchedStatus(statuses.get(n)!, stamp()) }));
    await measure('whole status (again)', (n) => ({ status: touchedStatus(statuses.get(n)!, stamp()) }));
    await measure('observedGeneration only', () => ({ status: { observedGeneration: 100 + k++ } }));

    // Profile the API server while it takes small status patches.
    const profiling = rawRequest(cluster.kc, 'GET', '/debug/pprof/profile?seconds=20');
    const until = Date.now() + 21_000;
    while (Date.now() < until)
      await measure('observedGeneration only (profiled)', () => ({
        status: { observedGeneration: 100 + k++ },
      }));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(benchDir, 'apiserver.pprof'), await profiling);
    log(`profile: ${join(benchDir, 'apiserver.pprof')}`);

    // Without managed fields (the main resource: the status endpoint ignores metadata).
    await forEachBounded(
      names,
      async (n) => {
        await rawRequest(cluster.kc, 'PATCH', `/apis/depot.sh/v1alpha1/namespaces/bench/applications/${n}`, {
          metadata: { managedFields: [{}] },
        });
      },
      { concurrency: 16, deadline, signal: controller.signal },
    );
    await measure('observedGeneration only, no managedFields', () => ({
      status: { observedGeneration: 100 + k++ },
    }));
    // Without history.
    await forEachBounded(
      names,
      (n) => cluster.client.mergePatchStatus('applications', 'bench', n, { status: { history: null } }),
      { concurrency: 16, deadline, signal: controller.signal },
    );
    await measure('observedGeneration only, no history', () => ({
      status: { observedGeneration: 100 + k++ },
    }));
    await forEachBounded(
      names,
      (n) =>
        cluster.client.mergePatchStatus('applications', 'bench', n, {
          status: { targets: null, environments: null },
        }),
      { concurrency: 16, deadline, signal: controller.signal },
    );
    await measure('observedGeneration only, no targets/environments', () => ({
      status: { observedGeneration: 100 + k++ },
    }));
    const small = await cluster.client.get('applications', 'bench', names[0]!);
    log(`now object bytes ${JSON.stringify(small).length}`);
    const before = await cluster.read();
    const patched = await world.patchRevisions(world.argoNames.dev, '1.2.0', 16, deadline);
    const after = await cluster.read();
    log(
      `argo cd patches: ${(((after.cpu.apiserver - before.cpu.apiserver) * 1000) / patched.done).toFixed(2)} ms apiserver per write`,
    );
    const argo = await cluster.client.getRaw(
      `/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/${world.argoNames.dev[0]}`,
    );
    log(`argo object bytes ${argo.length}`);
  } finally {
    await world.teardown();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    log(String(err?.stack ?? err));
    process.exit(1);
  },
);
