// The options every cluster command takes, like kubectl: --kubeconfig,
// --context, -n/--namespace. The client itself is src/client/depot-client.ts.
import type { Command } from 'commander';
import type { ConnectOptions } from '../client/depot-client.js';

export type ClusterOptions = ConnectOptions;

export function addClusterOptions(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use')
    .option('-n, --namespace <ns>', 'namespace (default: the context namespace, else default)');
}
