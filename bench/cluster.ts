// A dedicated local control plane (etcd + kube-apiserver) for the benchmark,
// in its own state directory, started from empty data and with Depot's CRDs
// installed, like the integration tests' global setup.
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { down, up, type ControlPlaneState } from '../src/local/controlplane/index.js';
import { applyManifests, loadManifests } from '../src/local/manifests.js';
import { BenchClient } from './bench-client.js';
import { parsePrometheusText, sumOf, type Sample } from './prometheus-text.js';
import { apiserverRequestCounts, type RequestCount } from './request-accounting.js';
import { cpuSeconds } from './proc.js';

export interface ApiserverReading {
  at: number;
  requests: RequestCount[];
  /** The API server's and etcd's CPU seconds so far (from /proc). */
  cpu: { apiserver: number; etcd: number };
  /** Size of the etcd database as the API server reports it, when it does. */
  storageBytes?: number;
}

export class BenchCluster {
  private constructor(
    readonly dir: string,
    readonly state: ControlPlaneState,
    readonly kc: KubeConfig,
    readonly client: BenchClient,
  ) {}

  static async start(root: string, dir: string, log: (line: string) => void): Promise<BenchCluster> {
    down(dir, { purge: true }); // a previous run's leftovers: start from empty data
    const state = await up({ dir, log: (l) => log(`[controlplane] ${l}`) });
    const kc = new KubeConfig();
    kc.loadFromFile(state.kubeconfig);
    await applyManifests(kc, loadManifests(join(root, 'crds')), { fieldManager: 'depot-bench' });
    return new BenchCluster(dir, state, kc, new BenchClient(kc));
  }

  get kubeconfig(): string {
    return this.state.kubeconfig;
  }

  async kubernetesVersion(): Promise<string> {
    const v = JSON.parse(await this.client.getRaw('/version')) as { gitVersion?: string };
    return v.gitVersion ?? 'unknown';
  }

  async apiserverMetrics(): Promise<Sample[]> {
    return parsePrometheusText(await this.client.getRaw('/metrics', 60_000));
  }

  /** The API server's request counters and the control plane's CPU time, now. */
  async read(): Promise<ApiserverReading> {
    const samples = await this.apiserverMetrics();
    const storage = sumOf(samples, 'apiserver_storage_size_bytes');
    return {
      at: Date.now(),
      requests: apiserverRequestCounts(samples),
      cpu: {
        apiserver: cpuSeconds(this.state.pids.apiserver) ?? 0,
        etcd: cpuSeconds(this.state.pids.etcd) ?? 0,
      },
      ...(storage > 0 ? { storageBytes: storage } : {}),
    };
  }

  /** Stops etcd and kube-apiserver and removes their data. */
  stop(): void {
    down(this.dir, { purge: true });
  }
}
