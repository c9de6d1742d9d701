// The built operator and CLI for one test namespace: the operator as its own
// ServiceAccount (the chart's RBAC), the CLI as the test's admin user.
import { depotCli, startOperator, type CliResult, type OperatorProcess } from './operator-process.js';
import { operatorKubeconfig } from './operator-rbac.js';

/** The built `depot operator` watching `ns` with exactly the packaged permissions. */
export async function runOperator(
  ns: string,
  opts?: Parameters<typeof startOperator>[2],
): Promise<OperatorProcess> {
  return startOperator(await operatorKubeconfig(), ns, opts);
}

/** The built CLI in `ns`, run with the test kubeconfig. */
export function cliIn(ns: string): (...args: string[]) => CliResult {
  return (...args) => depotCli(process.env.DEPOT_TEST_KUBECONFIG!, ns, ...args);
}

/** Leader election in seconds rather than the defaults' tens of seconds (a lost leader is replaced quickly). */
export const FAST_LEADER_ELECTION = [
  '--lease-duration',
  '6s',
  '--renew-deadline',
  '4s',
  '--retry-period',
  '1s',
];
