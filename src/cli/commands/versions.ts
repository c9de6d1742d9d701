// Commands that write versions: set-version, promote, set-deployed. Each is
// one action (src/actions/versions.ts), the same the HTTP API runs.
import type { Command } from 'commander';
import { promote, reportDeployed, setVersion } from '../../actions/versions.js';
import { DepotClient } from '../../client/depot-client.js';
import { addClusterOptions, type ClusterOptions } from '../cluster-options.js';

export function registerVersionCommands(program: Command): void {
  addClusterOptions(
    program
      .command('set-version')
      .description('request VERSION of APP in ENV (what CI runs after a build)')
      .argument('<app>', 'Application name')
      .argument('<env>', 'Environment name')
      .argument('<version>', 'the version, e.g. 1.12.1')
      .option('--force', 'deliver through a freeze window or a rejection (recorded as Forced)', false),
  ).action(
    async (application: string, env: string, version: string, opts: ClusterOptions & { force: boolean }) => {
      const ctx = await DepotClient.connect(opts).actionContext();
      await setVersion(ctx, { application, environment: env, version, force: opts.force });
      process.stdout.write(`${application}: ${env} requested ${version}${opts.force ? ' (forced)' : ''}\n`);
    },
  );

  addClusterOptions(
    program
      .command('promote')
      .description(
        "promote APP into ENV from the previous environment (or --from): the source's desired version",
      )
      .argument('<app>', 'Application name')
      .argument('<env>', 'Environment to promote into')
      .option(
        '--from <env>',
        'source environment (default: the Promotion into ENV, else the previous environment of the set)',
      )
      .option('--force', 'deliver through a freeze window or a rejection (recorded as Forced)', false),
  ).action(
    async (application: string, env: string, opts: ClusterOptions & { from?: string; force: boolean }) => {
      const ctx = await DepotClient.connect(opts).actionContext();
      const done = await promote(ctx, { application, environment: env, from: opts.from, force: opts.force });
      process.stdout.write(
        `${application}: promoted ${done.version} from ${done.from} to ${env} (source: ${done.via})\n`,
      );
    },
  );

  addClusterOptions(
    program
      .command('set-deployed')
      .description(
        "report that TARGET runs VERSION of APP (what a deploy job runs; Argo CD and Flux patch targets report it from their objects' status)",
      )
      .argument('<app>', 'Application name')
      .argument('<target>', 'Target name')
      .argument('<version>', 'the deployed version'),
  ).action(async (application: string, target: string, version: string, opts: ClusterOptions) => {
    const ctx = await DepotClient.connect(opts).actionContext();
    await reportDeployed(ctx, { application, target, version });
    process.stdout.write(`${application}: ${target} reports ${version} deployed\n`);
  });
}
