// The command line of a single local `depot operator` for one namespace (no
// endpoints, no HTTP API unless `extra` asks; leader election only when asked; actors
// from the admission policies' stamps unless told there are none): what the
// integration tests run. The demo runs the Deployment's command line instead (deployment-process.ts).
import { join } from 'node:path';
import { projectRoot } from './project-root.js';

export function localOperatorArgv(
  kubeconfig: string,
  namespace: string,
  extra: string[] = [],
  /** verifiedActors: false runs it as on a cluster without Depot's admission policies. */
  opts: { leaderElect?: boolean; verifiedActors?: boolean } = {},
): string[] {
  return [
    join(projectRoot(), 'bin', 'depot.js'),
    'operator',
    '--kubeconfig',
    kubeconfig,
    '--namespaces',
    namespace,
    ...(opts.leaderElect ? [] : ['--no-leader-elect']),
    '--health-addr',
    '0',
    '--metrics-addr',
    '0',
    '--api-addr',
    '0',
    ...(opts.verifiedActors === false ? [] : ['--verified-actors']),
    ...extra,
  ];
}
