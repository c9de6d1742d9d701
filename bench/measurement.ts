// What every scenario reports besides its own figures: the API requests the
// API server served while it ran (by verb and resource, Leases apart), the
// control plane's and the operator's CPU time, and the operator's own metrics.
import type { BenchCluster, ApiserverReading } from './cluster.js';
import type { OperatorProcess } from './operator-process.js';
import { figuresDelta, operatorFigures, type OperatorFigures } from './operator-metrics.js';
import {
  requestDelta,
  summarizeRequests,
  type RequestCount,
  type RequestSummary,
} from './request-accounting.js';
import { machineCpuSeconds } from './proc.js';
import { round } from './stats.js';

export interface Measured {
  api_requests: RequestSummary;
  /** CPU seconds used during the scenario, and as a share of one core (1 = one core busy all along). */
  cpu: {
    apiserver_s: number;
    etcd_s: number;
    operator_s?: number;
    /** The operator's CPU in milliseconds (user + system, from /proc), unrounded for the cost per change. */
    operator_ms?: number;
    apiserver_cores: number;
    operator_cores?: number;
    /** This harness process (its requests, watches and parsing run on the same cores). */
    harness_s: number;
    /** Cores busy on the whole machine on average (2 = both of this machine's busy all along). */
    machine_busy_cores?: number;
  };
  /** From the operator's own /metrics (the last operator process of the scenario). */
  operator_metrics?: OperatorFigures;
  etcd_storage_mib?: number;
}

export class Measurement {
  private constructor(
    private readonly cluster: BenchCluster,
    private readonly start: ApiserverReading,
    private readonly harness: RequestCount[],
    private readonly operatorPid: number | undefined,
    private readonly operatorCpu: number | undefined,
    private readonly operatorBefore: OperatorFigures | undefined,
    private readonly harnessCpu = process.cpuUsage(),
    private readonly machineCpu = machineCpuSeconds(),
  ) {}

  static async begin(cluster: BenchCluster, operator?: OperatorProcess): Promise<Measurement> {
    const operatorBefore = operator?.running
      ? operatorFigures(await operator.metrics().catch(() => []))
      : undefined;
    const start = await cluster.read();
    return new Measurement(
      cluster,
      start,
      cluster.client.requestCounts(),
      operator?.running ? operator.pid : undefined,
      operator?.cpuSeconds(),
      operatorBefore,
    );
  }

  /** Ends the measurement; `operator` is the process running now (it may be a new one). */
  async end(operator?: OperatorProcess): Promise<Measured> {
    const now = await this.cluster.read();
    const seconds = (now.at - this.start.at) / 1000;
    const harness = requestDelta(this.harness, this.cluster.client.requestCounts());
    const samePid = operator?.pid === this.operatorPid;
    const opCpuNow = operator?.cpuSeconds();
    const operatorCpu =
      opCpuNow === undefined ? undefined : opCpuNow - (samePid ? (this.operatorCpu ?? 0) : 0);
    const operatorAfter = operator?.running
      ? operatorFigures(await operator.metrics().catch(() => []))
      : undefined;
    const apiserverCpu = now.cpu.apiserver - this.start.cpu.apiserver;
    const harnessCpu = process.cpuUsage(this.harnessCpu);
    const machineNow = machineCpuSeconds();
    const machineBusy =
      machineNow && this.machineCpu && seconds > 0
        ? round((machineNow.busy - this.machineCpu.busy) / seconds, 2)
        : undefined;
    return {
      api_requests: summarizeRequests(requestDelta(this.start.requests, now.requests), harness, seconds),
      cpu: {
        apiserver_s: round(apiserverCpu, 1),
        etcd_s: round(now.cpu.etcd - this.start.cpu.etcd, 1),
        ...(operatorCpu !== undefined
          ? { operator_s: round(operatorCpu, 1), operator_ms: Math.round(operatorCpu * 1000) }
          : {}),
        apiserver_cores: seconds > 0 ? round(apiserverCpu / seconds, 2) : 0,
        ...(operatorCpu !== undefined && seconds > 0
          ? { operator_cores: round(operatorCpu / seconds, 2) }
          : {}),
        harness_s: round((harnessCpu.user + harnessCpu.system) / 1e6, 1),
        ...(machineBusy !== undefined ? { machine_busy_cores: machineBusy } : {}),
      },
      ...(operatorAfter
        ? { operator_metrics: figuresDelta(samePid ? this.operatorBefore : undefined, operatorAfter) }
        : {}),
      ...(now.storageBytes ? { etcd_storage_mib: round(now.storageBytes / 2 ** 20, 1) } : {}),
    };
  }
}
