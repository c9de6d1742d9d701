// The local control plane: a real etcd and kube-apiserver (built from their Go
// modules by scripts/build-controlplane.sh) on loopback, with generated PKI and
// an admin kubeconfig. Used by `depot local up|down|status`, `make demo` and
// the Jest global setup of the integration tests.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify as toYaml } from 'yaml';
import { projectRoot } from './project-root.js';

export interface ControlPlaneState {
  dir: string;
  /** Directory of the binaries this control plane runs. */
  bin: string;
  kubeconfig: string;
  server: string;
  pids: { etcd: number; apiserver: number; controllerManager?: number };
  ports: { etcd: number; etcdPeer: number; apiserver: number };
  startedAt: string;
  version: string;
}

export interface UpOptions {
  dir: string;
  /** Directory of the binaries to run; ensureBinaries() provides it when absent. */
  bin?: string;
  /** Fixed kube-apiserver port; a free one is picked when absent. */
  port?: number;
  /** Also run kube-controller-manager (namespace deletion, garbage collection, ClusterRole aggregation). */
  controllerManager?: boolean;
  /** Progress lines (build phases, start steps) go here. */
  log?: (line: string) => void;
  /** How long to wait for /readyz. */
  readyTimeoutMs?: number;
}

export class ControlPlaneError extends Error {}

const stateFile = (dir: string) => join(dir, 'state.json');
const lockFile = (dir: string) => join(dir, 'lock');

export function defaultDir(name = 'local'): string {
  return resolve(projectRoot(), '.cache', name);
}

/**
 * Builds (once) or finds the control-plane binaries; resolves to their
 * directory. A cold build takes minutes: each progress line of the build
 * script goes to `log` as it is printed. Its `error:` line becomes the error.
 */
export async function ensureBinaries(
  log: (line: string) => void = () => {},
  opts: { script?: string } = {},
): Promise<string> {
  const script = opts.script ?? join(projectRoot(), 'scripts', 'build-controlplane.sh');
  if (!existsSync(script))
    throw new ControlPlaneError(
      `the local control plane is built from a checkout of the Depot repository, and ${script} is not here (the npm package holds the CLI only): clone the repository and run make demo there`,
    );
  const child = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const errors: string[] = [];
  let last = '';
  const lines = createInterface({ input: child.stderr, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (line.startsWith('error: ')) errors.push(line.slice('error: '.length));
    else if (line.trim() !== '') {
      last = line;
      log(line);
    }
  });
  const [code] = await Promise.all([
    new Promise<number | null>((resolve, reject) => {
      child.once('error', (err) =>
        reject(new ControlPlaneError(`cannot run the control-plane build (${script}): ${err.message}`)),
      );
      child.once('close', (exitCode) => resolve(exitCode));
    }),
    once(lines, 'close'),
  ]);
  if (code !== 0) {
    throw new ControlPlaneError(
      errors.at(-1) ??
        `building the control plane failed (${script} exited with code ${code})${last ? `: ${last}` : ''}`,
    );
  }
  return stdout.trim();
}

/** Whether a process runs; a zombie (exited, not yet reaped by its parent) does not. */
export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S ..." where S is the state letter.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no procfs: trust the signal probe
  }
}

export function readState(dir: string): ControlPlaneState | undefined {
  const file = stateFile(dir);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ControlPlaneState;
  } catch {
    return undefined;
  }
}

/** Takes the directory's lock; a lock left by a dead process is taken over. */
function acquireLock(dir: string): void {
  const file = lockFile(dir);
  try {
    const fd = openSync(file, 'wx');
    writeFileSync(fd, String(process.pid));
    closeSync(fd);
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const owner = Number(readFileSync(file, 'utf8').trim());
  if (isAlive(owner) && owner !== process.pid) {
    throw new ControlPlaneError(
      `another depot process (pid ${owner}) is starting or stopping the control plane in ${dir}; wait for it, or remove ${file} if that process is gone`,
    );
  }
  writeFileSync(file, String(process.pid));
}

function releaseLock(dir: string): void {
  rmSync(lockFile(dir), { force: true });
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((res, rej) => {
    const srv = createServer();
    srv.once('error', () =>
      rej(
        new ControlPlaneError(
          `port ${port} on 127.0.0.1 is in use: stop what listens there or pick another --port`,
        ),
      ),
    );
    srv.listen(port, '127.0.0.1', () => srv.close(() => res()));
  });
}

function startProcess(bin: string, args: string[], logPath: string): ChildProcess {
  const out = openSync(logPath, 'a');
  // detached: each binary leads its own process group, so `down` can stop it
  // and everything it started even after the starting process is gone.
  const child = spawn(bin, args, { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  child.unref();
  return child;
}

function tail(path: string, lines = 8): string {
  if (!existsSync(path)) return '';
  return readFileSync(path, 'utf8').trim().split('\n').slice(-lines).join('\n');
}

function kubeconfigYaml(server: string, pki: string): string {
  const b64 = (f: string) => readFileSync(join(pki, f)).toString('base64');
  return toYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'depot-local', cluster: { server, 'certificate-authority-data': b64('ca.crt') } }],
    users: [
      {
        name: 'depot-admin',
        user: { 'client-certificate-data': b64('admin.crt'), 'client-key-data': b64('admin.key') },
      },
    ],
    contexts: [{ name: 'depot-local', context: { cluster: 'depot-local', user: 'depot-admin' } }],
    'current-context': 'depot-local',
  });
}

async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  alive: () => string | undefined,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const died = alive();
    if (died) throw new ControlPlaneError(died);
    if (await check().catch(() => false)) return;
    await sleep(200);
  }
  throw new ControlPlaneError(`${what} did not become ready within ${Math.round(timeoutMs / 1000)}s`);
}

async function httpOk(url: string, init?: RequestInit & { dispatcher?: unknown }): Promise<boolean> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(2000) } as RequestInit);
  return res.ok;
}

/** Asks /readyz with the admin client certificate (curl-free: node's https). */
async function apiserverReady(server: string, pki: string): Promise<boolean> {
  const https = await import('node:https');
  return new Promise((res) => {
    const req = https.get(
      `${server}/readyz`,
      {
        ca: readFileSync(join(pki, 'ca.crt')),
        cert: readFileSync(join(pki, 'admin.crt')),
        key: readFileSync(join(pki, 'admin.key')),
        timeout: 2000,
      },
      (r) => {
        r.resume();
        res(r.statusCode === 200);
      },
    );
    req.on('error', () => res(false));
    req.on('timeout', () => {
      req.destroy();
      res(false);
    });
  });
}

export async function up(opts: UpOptions): Promise<ControlPlaneState> {
  const log = opts.log ?? (() => {});
  const dir = resolve(opts.dir);
  mkdirSync(dir, { recursive: true });
  acquireLock(dir);
  try {
    const existing = readState(dir);
    if (existing && isAlive(existing.pids.apiserver) && isAlive(existing.pids.etcd)) {
      log(`control plane already running at ${existing.server}`);
      return existing;
    }
    if (existing) stopProcesses(existing);

    const bin = opts.bin ?? (await ensureBinaries(log));
    const pki = join(dir, 'pki');
    const pkiRes = spawnSync(join(bin, 'depot-pki'), ['--dir', pki], { encoding: 'utf8' });
    if (pkiRes.status !== 0)
      throw new ControlPlaneError(`generating certificates failed: ${pkiRes.stderr.trim()}`);

    if (opts.port) await assertPortFree(opts.port);
    const ports = {
      etcd: await freePort(),
      etcdPeer: await freePort(),
      apiserver: opts.port ?? (await freePort()),
    };
    const logs = join(dir, 'logs');
    mkdirSync(logs, { recursive: true });

    const started = Date.now();
    const etcdUrl = `http://127.0.0.1:${ports.etcd}`;
    const etcdLog = join(logs, 'etcd.log');
    const etcd = startProcess(
      join(bin, 'etcd'),
      [
        '--name=depot-local',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
        `--initial-cluster=depot-local=http://127.0.0.1:${ports.etcdPeer}`,
        '--unsafe-no-fsync=true',
        '--log-level=warn',
      ],
      etcdLog,
    );
    const etcdDied = () =>
      isAlive(etcd.pid)
        ? undefined
        : `etcd exited during start-up; last lines of ${etcdLog}:\n${tail(etcdLog)}`;
    await waitFor('etcd', () => httpOk(`${etcdUrl}/health`), etcdDied, 30_000);
    log(`etcd ready on ${etcdUrl} (${Date.now() - started} ms)`);

    const server = `https://127.0.0.1:${ports.apiserver}`;
    const pids: ControlPlaneState['pids'] = { etcd: etcd.pid!, apiserver: 0 };
    try {
      pids.apiserver = await startApiserver({
        bin,
        dir,
        etcdUrl,
        port: ports.apiserver,
        etcdDied,
        readyTimeoutMs: opts.readyTimeoutMs,
      });
    } catch (err) {
      stopProcesses({ pids });
      throw err;
    }
    log(`kube-apiserver ready on ${server} (${Date.now() - started} ms after start)`);

    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, kubeconfigYaml(server, pki), { mode: 0o600 });

    if (opts.controllerManager) {
      pids.controllerManager = startProcess(
        join(bin, 'kube-controller-manager'),
        [
          `--kubeconfig=${kubeconfig}`,
          '--controllers=namespace-controller,garbage-collector-controller,serviceaccount-controller,clusterrole-aggregation-controller',
          `--service-account-private-key-file=${join(pki, 'sa.key')}`,
          `--root-ca-file=${join(pki, 'ca.crt')}`,
          '--leader-elect=false',
          '--bind-address=127.0.0.1',
          '--secure-port=0',
        ],
        join(logs, 'kube-controller-manager.log'),
      ).pid;
    }

    const state: ControlPlaneState = {
      dir,
      bin,
      kubeconfig,
      server,
      pids,
      ports,
      startedAt: new Date().toISOString(),
      version: 'v1.36',
    };
    writeFileSync(stateFile(dir), JSON.stringify(state, null, 2));
    return state;
  } finally {
    releaseLock(dir);
  }
}

interface ApiserverStart {
  bin: string;
  dir: string;
  etcdUrl: string;
  port: number;
  etcdDied: () => string | undefined;
  readyTimeoutMs?: number;
}

/** Starts kube-apiserver against the running etcd and waits for /readyz; returns its pid. */
async function startApiserver(s: ApiserverStart): Promise<number> {
  const pki = join(s.dir, 'pki');
  const server = `https://127.0.0.1:${s.port}`;
  const apiLog = join(s.dir, 'logs', 'kube-apiserver.log');
  const apiserver = startProcess(
    join(s.bin, 'kube-apiserver'),
    [
      `--etcd-servers=${s.etcdUrl}`,
      `--cert-dir=${join(s.dir, 'apiserver-certs')}`,
      `--tls-cert-file=${join(pki, 'apiserver.crt')}`,
      `--tls-private-key-file=${join(pki, 'apiserver.key')}`,
      `--client-ca-file=${join(pki, 'ca.crt')}`,
      `--secure-port=${s.port}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      '--endpoint-reconciler-type=none',
      '--service-cluster-ip-range=10.0.0.0/24',
      '--allow-privileged=true',
      '--disable-admission-plugins=ServiceAccount',
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc',
      `--service-account-key-file=${join(pki, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(pki, 'sa.key')}`,
      '--v=1',
    ],
    apiLog,
  );
  const anyDied = () =>
    s.etcdDied() ??
    (isAlive(apiserver.pid)
      ? undefined
      : `kube-apiserver exited during start-up; last lines of ${apiLog}:\n${tail(apiLog)}`);
  try {
    await waitFor('kube-apiserver', () => apiserverReady(server, pki), anyDied, s.readyTimeoutMs ?? 90_000);
  } catch (err) {
    stopProcesses({ pids: { etcd: 0, apiserver: apiserver.pid! } });
    throw err;
  }
  return apiserver.pid!;
}

/**
 * Stops kube-apiserver, waits `downtimeMs`, and starts it again on the same
 * port and etcd (data kept): how tests prove that clients survive an outage.
 * `during` runs while the server is down.
 */
export async function restartApiserver(
  dir: string,
  opts: { downtimeMs?: number; during?: () => Promise<void> } = {},
): Promise<ControlPlaneState> {
  const state = readState(resolve(dir));
  if (!state) throw new ControlPlaneError(`no control plane state in ${dir}`);
  stopProcesses({ pids: { etcd: 0, apiserver: state.pids.apiserver } });
  if (opts.during) await opts.during();
  if (opts.downtimeMs) await sleep(opts.downtimeMs);
  const etcdLog = join(state.dir, 'logs', 'etcd.log');
  const pid = await startApiserver({
    bin: state.bin,
    dir: state.dir,
    etcdUrl: `http://127.0.0.1:${state.ports.etcd}`,
    port: state.ports.apiserver,
    etcdDied: () => (isAlive(state.pids.etcd) ? undefined : `etcd is not running; see ${etcdLog}`),
  });
  const next = { ...state, pids: { ...state.pids, apiserver: pid } };
  writeFileSync(stateFile(state.dir), JSON.stringify(next, null, 2));
  return next;
}

/**
 * Stops every process of a state, clients before servers (kube-apiserver
 * shuts down slowly once etcd is gone): SIGTERM to each process group, then
 * SIGKILL to whatever is still running after 10 s.
 */
function stopProcesses(state: { pids: ControlPlaneState['pids'] }): number[] {
  const order = [state.pids.controllerManager, state.pids.apiserver, state.pids.etcd];
  const pids = order.filter((p): p is number => typeof p === 'number' && isAlive(p));
  for (const pid of pids) {
    signalGroup(pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (isAlive(pid) && Date.now() < deadline) spawnSync('sleep', ['0.05']);
    if (!isAlive(pid)) continue;
    signalGroup(pid, 'SIGKILL');
    while (isAlive(pid) && Date.now() < deadline + 5_000) spawnSync('sleep', ['0.05']);
  }
  return pids;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

export interface DownResult {
  stopped: number[];
  wasRunning: boolean;
}

export function down(dir: string, opts: { purge?: boolean } = {}): DownResult {
  dir = resolve(dir);
  const state = readState(dir);
  if (!state) return { stopped: [], wasRunning: false };
  acquireLock(dir);
  try {
    const stopped = stopProcesses(state);
    rmSync(stateFile(dir), { force: true });
    if (opts.purge) {
      for (const sub of ['etcd', 'logs', 'apiserver-certs'])
        rmSync(join(dir, sub), { recursive: true, force: true });
    }
    return { stopped, wasRunning: stopped.length > 0 };
  } finally {
    releaseLock(dir);
  }
}

export interface StatusResult {
  state?: ControlPlaneState;
  running: boolean;
  ready: boolean;
  problems: string[];
}

export async function status(dir: string): Promise<StatusResult> {
  const state = readState(resolve(dir));
  if (!state) return { running: false, ready: false, problems: [] };
  const problems: string[] = [];
  if (!isAlive(state.pids.etcd)) problems.push(`etcd (pid ${state.pids.etcd}) is not running`);
  if (!isAlive(state.pids.apiserver))
    problems.push(`kube-apiserver (pid ${state.pids.apiserver}) is not running`);
  const running = problems.length === 0;
  const ready = running && (await apiserverReady(state.server, join(state.dir, 'pki')));
  if (running && !ready) problems.push('kube-apiserver is running but /readyz is not ok');
  return { state, running, ready, problems };
}
