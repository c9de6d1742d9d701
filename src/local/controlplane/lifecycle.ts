// `depot local up|down|status`: the control plane's life over its directory
// (state, lock, PKI, servers), for the CLI, `make demo`, the integration
// tests' global setup and the benchmarks.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureBinaries } from './binaries.js';
import { ControlPlaneError } from './errors.js';
import { generatePki, kubeconfigYaml, pkiDir } from './pki.js';
import { assertPortFree, freePort } from './ports.js';
import { isAlive, stopProcesses } from './processes.js';
import { apiserverReady } from './readiness.js';
import { apiserverUrl, etcdUrl, startApiserver, startControllerManager, startEtcd } from './servers.js';
import {
  acquireLock,
  readState,
  releaseLock,
  removeState,
  writeState,
  type ControlPlaneState,
} from './state.js';

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
    const pki = pkiDir(dir);
    generatePki(bin, pki);

    if (opts.port) await assertPortFree(opts.port);
    const ports = {
      etcd: await freePort(),
      etcdPeer: await freePort(),
      apiserver: opts.port ?? (await freePort()),
    };
    mkdirSync(join(dir, 'logs'), { recursive: true });

    const started = Date.now();
    const { etcd, etcdDied } = await startEtcd(bin, dir, ports);
    log(`etcd ready on ${etcdUrl(ports.etcd)} (${Date.now() - started} ms)`);

    const server = apiserverUrl(ports.apiserver);
    const pids: ControlPlaneState['pids'] = { etcd: etcd.pid!, apiserver: 0 };
    try {
      pids.apiserver = await startApiserver({
        bin,
        dir,
        etcdUrl: etcdUrl(ports.etcd),
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

    if (opts.controllerManager) pids.controllerManager = startControllerManager(bin, dir, kubeconfig);

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
    writeState(state);
    return state;
  } finally {
    releaseLock(dir);
  }
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
    etcdUrl: etcdUrl(state.ports.etcd),
    port: state.ports.apiserver,
    etcdDied: () => (isAlive(state.pids.etcd) ? undefined : `etcd is not running; see ${etcdLog}`),
  });
  const next = { ...state, pids: { ...state.pids, apiserver: pid } };
  writeState(next);
  return next;
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
    removeState(dir);
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
  const ready = running && (await apiserverReady(state.server, pkiDir(state.dir)));
  if (running && !ready) problems.push('kube-apiserver is running but /readyz is not ok');
  return { state, running, ready, problems };
}
