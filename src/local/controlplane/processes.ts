// The control plane's processes: each binary leads its own process group, so
// `down` stops it and everything it started even after the starting process
// is gone.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import type { ControlPlaneState } from './state.js';

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

/** Starts a binary detached, its output appended to `logPath`. */
export function startProcess(bin: string, args: string[], logPath: string): ChildProcess {
  const out = openSync(logPath, 'a');
  const child = spawn(bin, args, { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  child.unref();
  return child;
}

/** The last lines of a log, for an error that says why a process died. */
export function tail(path: string, lines = 8): string {
  if (!existsSync(path)) return '';
  return readFileSync(path, 'utf8').trim().split('\n').slice(-lines).join('\n');
}

/**
 * Stops every process of a state, clients before servers (kube-apiserver
 * shuts down slowly once etcd is gone): SIGTERM to each process group, then
 * SIGKILL to whatever is still running after 10 s.
 */
export function stopProcesses(state: { pids: ControlPlaneState['pids'] }): number[] {
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
