// RuntimeDeps on a MemoryCluster and a FakeClock: what a reconcile-level
// test hands a controller instead of the manager's.
import type { RuntimeDeps, LeadershipTerm } from '../runtime-deps.js';
import { InvalidObjectReporter } from '../invalid-object.js';
import { createLogger } from '../log.js';
import { RuntimeMetrics } from '../metrics.js';
import { StatusWriter } from '../status-writer.js';
import { ObjectWriter } from '../writes.js';
import { FakeClock } from '../../kube/testing/fake-clock.js';
import type { MemoryCluster } from './memory-cluster.js';

export interface MemoryDeps extends RuntimeDeps {
  clock: FakeClock;
}

export function memoryDeps(
  cluster: MemoryCluster,
  opts: { clock?: FakeClock; leadership?: LeadershipTerm } = {},
): MemoryDeps {
  const clock = opts.clock ?? new FakeClock(Date.parse('2026-11-20T12:00:00Z'));
  const writer = (fieldManager: string) =>
    new ObjectWriter({ client: cluster.api, informers: cluster, fieldManager });
  const status = new StatusWriter(writer('depot-operator'));
  const leadership = opts.leadership ?? { term: 1, previousLeaderStoppedCleanly: true };
  return {
    informers: cluster,
    client: cluster.api,
    writer,
    status,
    events: cluster.eventSink,
    invalid: new InvalidObjectReporter(status, cluster.eventSink, clock),
    log: createLogger({ level: 'silent' }),
    clock,
    metrics: new RuntimeMetrics({ processMetrics: false }),
    identity: 'test',
    leadership: () => leadership,
    fence: () => undefined,
  };
}
