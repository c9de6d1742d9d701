// `depot get shards`: which shard holds which namespace (the namespaces'
// depot.sh/shard labels and the Leases depot-shard-<namespace> in the
// operator's namespace), and how many each shard holds.
import { loadKubeConfig } from '../../client/depot-client.js';
import { realClock } from '../../kube/clock.js';
import { KubeClient } from '../../kube/client.js';
import { Leases } from '../../kube/resource.js';
import { ApiTransport } from '../../kube/transport.js';
import { shardLeaseLabel } from '../../runtime/shard-decision.js';
import { Namespaces } from '../../runtime/shard-membership.js';
import type { ClusterOptions } from '../cluster-options.js';
import { printMachine, type OutputFormat } from '../render/output.js';
import { heldPerShard, shardRows, type LeaseLike } from '../render/shard-rows.js';

export async function printShards(
  opts: ClusterOptions & { operatorNamespace: string },
  format: OutputFormat,
  table: (head: string[], rows: string[][]) => string,
): Promise<void> {
  const client = new KubeClient(new ApiTransport({ kubeConfig: loadKubeConfig(opts), clock: realClock }));
  const [namespaces, leases] = await Promise.all([
    client.list(Namespaces),
    client.list(Leases, { namespace: opts.operatorNamespace, labelSelector: shardLeaseLabel }),
  ]);
  const rows = shardRows(namespaces.items, leases.items as LeaseLike[]);
  if (printMachine(format, { namespaces: rows, held: heldPerShard(rows) })) return;
  if (rows.length === 0) {
    process.stdout.write(
      `no namespace Leases in ${opts.operatorNamespace}: the operator runs without shards (or pass --operator-namespace)\n`,
    );
    return;
  }
  const lines = rows.map((r) => [r.namespace, r.shard, r.holder || '-', r.state, r.since ?? '-']);
  const held = Object.entries(heldPerShard(rows))
    .map(([shard, n]) => `${shard}: ${n}`)
    .join(', ');
  process.stdout.write(`${table(['NAMESPACE', 'SHARD', 'HOLDER', 'STATE', 'SINCE'], lines)}\n`);
  process.stdout.write(`held: ${held || 'none'}\n`);
}
