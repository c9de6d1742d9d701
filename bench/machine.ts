// The machine a run measured: cores, memory, load, Node and Kubernetes
// versions, so figures are published with where they came from.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem, type as osType, release } from 'node:os';
import { join } from 'node:path';
import type { BenchCluster } from './cluster.js';
import { round } from './stats.js';

export interface Machine {
  cpus: number;
  cpu_model: string;
  memory_gib: number;
  os: string;
  node: string;
  kubernetes?: string;
  etcd?: string;
  /** 1-minute load average when the run started: other work on the machine makes figures noisy. */
  load_at_start: number;
}

export function machine(): Machine {
  return {
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model.trim() ?? 'unknown',
    memory_gib: round(totalmem() / 2 ** 30, 1),
    os: `${osType()} ${release()}`,
    node: process.version,
    load_at_start: round(loadavg()[0] ?? 0, 2),
  };
}

/** Kubernetes and etcd versions of the control plane. */
export async function controlPlaneVersions(
  cluster: BenchCluster,
): Promise<{ kubernetes: string; etcd?: string }> {
  const etcd = spawnSync(join(cluster.state.bin, 'etcd'), ['--version'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  const version = /etcd Version: (\S+)/.exec(etcd.stdout ?? '')?.[1];
  return { kubernetes: await cluster.kubernetesVersion(), ...(version ? { etcd: version } : {}) };
}
