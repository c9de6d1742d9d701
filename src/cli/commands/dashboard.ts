// `depot dashboard [--port] [-n NS | -A]`: the dashboard on this machine with
// the user's kubeconfig, like `kubectl proxy`. The same server code as the
// operator's HTTP API: informers (watches made with the user's credentials,
// in the namespaces the user may read), the event stream, the page, and the
// routes' writes through the actions layer with the user's own client, so
// the API server records the user. It listens on 127.0.0.1 only, refuses
// other Host headers (DNS rebinding) and writes from other origins (CSRF),
// prints the URL and runs until Ctrl-C.
import type { Command } from 'commander';
import { DepotClient } from '../../client/depot-client.js';
import { KubeClient } from '../../kube/client.js';
import { realClock } from '../../kube/clock.js';
import type { KubeObject, ResourceType } from '../../kube/resource.js';
import { ApiTransport } from '../../kube/transport.js';
import { startLocalDashboard } from '../local-dashboard.js';
import { SelfAccessReviewer } from '../../server/dashboard/self-reviewer.js';
import { addClusterOptions, type ClusterOptions } from '../cluster-options.js';
import { UserError } from '../errors.js';

interface DashboardFlags extends ClusterOptions {
  port: number;
  allNamespaces: boolean;
}

const Namespaces: ResourceType = {
  group: '',
  version: 'v1',
  plural: 'namespaces',
  kind: 'Namespace',
  namespaced: false,
};

export function registerDashboard(program: Command): void {
  const cmd = program
    .command('dashboard')
    .description(
      'the dashboard on http://127.0.0.1:PORT with your kubeconfig: live matrix, history, why, and actions your RBAC allows',
    )
    .option('--port <port>', 'local port (0: a free one)', parsePort, 8090)
    .option(
      '-A, --all-namespaces',
      'every namespace you may read (watched cluster-wide when you may list Applications everywhere)',
      false,
    );
  addClusterOptions(cmd).action(async (flags: DashboardFlags) => {
    process.exitCode = await runDashboard(flags);
    process.exit();
  });
}

export async function runDashboard(flags: DashboardFlags): Promise<number> {
  if (flags.allNamespaces && flags.namespace)
    throw new UserError('-n/--namespace and -A/--all-namespaces: pass one (or none: the context namespace)');
  const client = DepotClient.connect(flags);
  const user = await client.authenticatedUserName();
  const reviewer = new SelfAccessReviewer(
    new KubeClient(new ApiTransport({ kubeConfig: client.kubeConfig, clock: realClock })),
  );
  const namespaces = flags.allNamespaces
    ? await readableNamespaces(client, reviewer)
    : (flags.namespace ?? client.namespace)
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean);
  const dashboard = await startLocalDashboard({
    kubeConfig: client.kubeConfig,
    user,
    namespaces,
    port: flags.port,
    reviewer,
  });
  // The runtime's timers do not hold the process open: the dashboard holds itself until stopped.
  const keepAlive = setInterval(() => undefined, 60_000);
  process.stdout.write(
    `Depot dashboard for ${user} (${namespaces?.join(', ') ?? 'all namespaces'}): ${dashboard.url}\nPress Ctrl-C to stop.\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  clearInterval(keepAlive);
  await dashboard.stop();
  return 0;
}

/**
 * -A: undefined (watch cluster-wide) when the user may list Applications in
 * every namespace; otherwise the Namespaces they may list Applications in
 * (one SelfSubjectAccessReview each). A user who may not list Namespaces
 * either gets a one-line error naming -n: Kubernetes offers no way to learn
 * which namespaces one may read without listing them (SelfSubjectRulesReview
 * answers per namespace).
 */
async function readableNamespaces(
  client: DepotClient,
  reviewer: SelfAccessReviewer,
): Promise<string[] | undefined> {
  const everywhere = await reviewer.authorize(undefined, {
    verb: 'list',
    resource: 'applications',
    namespace: '',
  });
  if (everywhere.allowed) return undefined;
  const kube = new KubeClient(new ApiTransport({ kubeConfig: client.kubeConfig, clock: realClock }));
  let names: string[];
  try {
    names = (await kube.list<KubeObject>(Namespaces)).items.map((n) => n.metadata!.name!);
  } catch {
    throw new UserError(
      'you may neither list Applications in every namespace nor list Namespaces: name them with -n NS[,NS…]',
    );
  }
  const allowed: string[] = [];
  for (const ns of names) {
    const d = await reviewer.authorize(undefined, { verb: 'list', resource: 'applications', namespace: ns });
    if (d.allowed) allowed.push(ns);
  }
  if (allowed.length === 0) throw new UserError('you may list Applications in no namespace');
  return allowed;
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new UserError(`--port: must be 0-65535, got "${v}"`);
  return n;
}
