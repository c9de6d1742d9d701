// A control plane's directory: state.json (what runs, where) and the lock
// that one depot process holds while it starts or stops the control plane.
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { projectRoot } from '../project-root.js';
import { ControlPlaneError } from './errors.js';
import { isAlive } from './processes.js';

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

const stateFile = (dir: string) => join(dir, 'state.json');
const lockFile = (dir: string) => join(dir, 'lock');

export function defaultDir(name = 'local'): string {
  return resolve(projectRoot(), '.cache', name);
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

export function writeState(state: ControlPlaneState): void {
  writeFileSync(stateFile(state.dir), JSON.stringify(state, null, 2));
}

export function removeState(dir: string): void {
  rmSync(stateFile(dir), { force: true });
}

/** Takes the directory's lock; a lock left by a dead process is taken over. */
export function acquireLock(dir: string): void {
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

export function releaseLock(dir: string): void {
  rmSync(lockFile(dir), { force: true });
}
