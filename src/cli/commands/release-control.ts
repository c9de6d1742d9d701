// When a release goes wrong: `depot rollback`, `release`, `reject`, `unreject`, `approve`.
// Each is one action (src/actions/release-control.ts, as the HTTP API runs it): input checked
// against the cluster first (one line and exit 1 when it cannot be done, nothing written),
// then a write with a field manager naming the user, guarded by the resourceVersion read.
import type { Command } from 'commander';
import { approve, reject, release, rollback, unreject } from '../../actions/release-control.js';
import { DepotClient } from '../../client/depot-client.js';
import { addClusterOptions, type ClusterOptions } from '../cluster-options.js';

const context = (opts: ClusterOptions) => DepotClient.connect(opts).actionContext();

export function registerReleaseControlCommands(program: Command): void {
  addClusterOptions(
    program
      .command('rollback')
      .description(
        'set ENV back to the previous desired version of APP (or --to); Promotions into ENV hold it until a newer version is eligible or `depot release`',
      )
      .argument('<app>', 'Application name')
      .argument('<env>', 'Environment name')
      .option('--to <version>', 'the version to roll back to (default: the previous desired one)')
      .option('--reject', 'also reject the version rolled back from (never promoted again)', false)
      .option('--reason <text>', 'why (recorded in the history, and as the rejection reason)'),
  ).action(
    async (
      application: string,
      env: string,
      opts: ClusterOptions & { to?: string; reject: boolean; reason?: string },
    ) => {
      const done = await rollback(await context(opts), {
        application,
        environment: env,
        to: opts.to,
        reject: opts.reject,
        reason: opts.reason,
      });
      process.stdout.write(
        `${application}: ${env} rolled back from ${done.rolledBackFrom} to ${done.version}${done.rejected ? ` (${done.rolledBackFrom} rejected)` : ''}\n`,
      );
    },
  );

  addClusterOptions(
    program
      .command('release')
      .description('end the hold that a rollback of APP in ENV put on the Promotions into ENV')
      .argument('<app>', 'Application name')
      .argument('<env>', 'Environment name'),
  ).action(async (application: string, env: string, opts: ClusterOptions) => {
    const done = await release(await context(opts), { application, environment: env });
    process.stdout.write(`${application}: released the hold on ${done.version} in ${env}\n`);
  });

  addClusterOptions(
    program
      .command('reject')
      .description('reject VERSION of APP: never promoted, new requests blocked unless forced')
      .argument('<app>', 'Application name')
      .argument('<version>', 'the version to reject')
      .requiredOption('--reason <text>', 'why it is rejected'),
  ).action(async (application: string, version: string, opts: ClusterOptions & { reason: string }) => {
    await reject(await context(opts), { application, version, reason: opts.reason });
    process.stdout.write(`${application}: ${version} rejected\n`);
  });

  addClusterOptions(
    program
      .command('unreject')
      .description('remove the rejection of VERSION of APP')
      .argument('<app>', 'Application name')
      .argument('<version>', 'the rejected version'),
  ).action(async (application: string, version: string, opts: ClusterOptions) => {
    await unreject(await context(opts), { application, version });
    process.stdout.write(`${application}: ${version} no longer rejected\n`);
  });

  addClusterOptions(
    program
      .command('approve')
      .description(
        'approve the version of APP waiting in an approval-gated PROMOTION (that exact version), as the user the API server authenticates; the one who first requested the version cannot approve it unless the Promotion allows self-approval',
      )
      .argument('<promotion>', 'Promotion name')
      .argument('<app>', 'Application name')
      .argument('[version]', 'the version (default: the one waiting)'),
  ).action(
    async (promotion: string, application: string, version: string | undefined, opts: ClusterOptions) => {
      const ctx = await DepotClient.connect(opts).actionContext({ authenticated: true });
      const done = await approve(ctx, { promotion, application, version });
      const needed = done.approvalsNeeded ?? 0;
      process.stdout.write(
        `${promotion}: ${ctx.user} approved ${application} ${done.version}; approved by ${done.approvers?.join(', ')}; ${
          needed > 0
            ? `${needed} more approval${needed === 1 ? '' : 's'} needed`
            : 'enough approvals to promote'
        }\n`,
      );
    },
  );
}
