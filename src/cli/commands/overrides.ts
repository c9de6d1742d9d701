// When a release goes wrong: `depot rollback`, `depot release`, `depot reject`,
// `depot unreject` and `depot approve`. Each checks its input against what is
// in the cluster first (one line and exit code 1 when it cannot be done,
// nothing written), then writes with a field manager naming the user, guarded
// by the resourceVersion it read (a change meanwhile: read and check again).
import type { Command } from 'commander';
import type { Application } from '../../api/application.js';
import { API_VERSION } from '../../api/group.js';
import { releaseAnnotation, rollbackReasonAnnotation, UNREJECT_ANNOTATION } from '../../api/annotations.js';
import type { Promotion } from '../../api/promotion.js';
import { Applications, Promotions } from '../../api/resources.js';
import { DepotClient } from '../../client/depot-client.js';
import { approveManager } from '../../core/approvals.js';
import { versionsFor } from '../../core/versions.js';
import { planApproval, planReject, planRollback, planUnreject } from '../../core/release-control.js';
import { rejectManager, unrejectManager } from '../../core/rejections.js';
import { writerManager } from '../../core/version-writes.js';
import { addClusterOptions, type ClusterOptions } from '../cluster-options.js';
import { UserError } from '../errors.js';

const RELEASE_MANAGER_PREFIX = 'depot-release.';

function rejectBody(app: Application, version: string, reason: string): object {
  return {
    apiVersion: API_VERSION,
    kind: 'Application',
    metadata: { name: app.metadata.name, namespace: app.metadata.namespace },
    spec: { rejectedVersions: [{ version, reason }] },
  };
}

async function reject(client: DepotClient, name: string, version: string, reason: string): Promise<void> {
  const user = await client.userName();
  await client.withConflictRetry(async () => {
    const app = await client.application(name);
    const plan = planReject(app, version, reason);
    if (!plan.ok) throw new UserError(plan.message);
    await client.apply(Applications, name, rejectBody(app, version, reason), rejectManager(version, user));
  });
}

export function registerOverrideCommands(program: Command): void {
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
      name: string,
      env: string,
      opts: ClusterOptions & { to?: string; reject: boolean; reason?: string },
    ) => {
      const client = DepotClient.connect(opts);
      const user = await client.userName();
      const reason = opts.reason ?? (opts.reject ? `rolled back in ${env}` : undefined);
      const plan = await client.withConflictRetry(async () => {
        const app = await client.application(name);
        const p = planRollback(app, env, opts.to);
        if (!p.ok) throw new UserError(p.message);
        if (opts.reject) {
          const r = planReject(app, p.from, reason!);
          if (!r.ok) throw new UserError(r.message);
        }
        const writer = { kind: 'rollback', user } as const;
        await client.apply(
          Applications,
          name,
          {
            apiVersion: API_VERSION,
            kind: 'Application',
            metadata: {
              name,
              namespace: client.namespace,
              resourceVersion: app.metadata.resourceVersion,
              ...(reason ? { annotations: { [rollbackReasonAnnotation(env)]: reason } } : {}),
            },
            spec: { versions: { [env]: p.to } },
          },
          writerManager(writer, env),
        );
        return p;
      });
      if (opts.reject) await reject(client, name, plan.from, reason!);
      process.stdout.write(
        `${name}: ${env} rolled back from ${plan.from} to ${plan.to}${opts.reject ? ` (${plan.from} rejected)` : ''}\n`,
      );
    },
  );

  addClusterOptions(
    program
      .command('release')
      .description('end the hold that a rollback of APP in ENV put on the Promotions into ENV')
      .argument('<app>', 'Application name')
      .argument('<env>', 'Environment name'),
  ).action(async (name: string, env: string, opts: ClusterOptions) => {
    const client = DepotClient.connect(opts);
    const [promotions, user] = await Promise.all([client.list<Promotion>(Promotions), client.userName()]);
    const holds = promotions
      .filter((p) => p.spec.to === env)
      .flatMap((p) => (p.status?.holds ?? []).filter((h) => h.application === name));
    if (holds.length === 0) throw new UserError(`${name} has no hold in ${env}`);
    // One release covers every hold of an older or the same version (semver).
    const app = await client.application(name);
    const v = versionsFor(app);
    const version = holds.map((h) => h.version).reduce((a, b) => (v.newer(b, a) ? b : a));
    await client.apply(
      Applications,
      name,
      {
        apiVersion: API_VERSION,
        kind: 'Application',
        metadata: { name, namespace: client.namespace, annotations: { [releaseAnnotation(env)]: version } },
      },
      `${RELEASE_MANAGER_PREFIX}${env}.${user}`.slice(0, 128),
    );
    process.stdout.write(`${name}: released the hold on ${version} in ${env}\n`);
  });

  addClusterOptions(
    program
      .command('reject')
      .description('reject VERSION of APP: never promoted, new requests blocked unless forced')
      .argument('<app>', 'Application name')
      .argument('<version>', 'the version to reject')
      .requiredOption('--reason <text>', 'why it is rejected'),
  ).action(async (name: string, version: string, opts: ClusterOptions & { reason: string }) => {
    await reject(DepotClient.connect(opts), name, version, opts.reason);
    process.stdout.write(`${name}: ${version} rejected\n`);
  });

  addClusterOptions(
    program
      .command('unreject')
      .description('remove the rejection of VERSION of APP')
      .argument('<app>', 'Application name')
      .argument('<version>', 'the rejected version'),
  ).action(async (name: string, version: string, opts: ClusterOptions) => {
    const client = DepotClient.connect(opts);
    const user = await client.userName();
    await client.withConflictRetry(async () => {
      const app = await client.application(name);
      const plan = planUnreject(app, version);
      if (!plan.ok) throw new UserError(plan.message);
      const annotations = app.metadata.annotations ?? {};
      await client.patchJson(
        Applications,
        name,
        [
          // Only the object as read: a change meanwhile fails the test, and the command reads again.
          { op: 'test', path: '/metadata/resourceVersion', value: app.metadata.resourceVersion },
          { op: 'remove', path: `/spec/rejectedVersions/${plan.index}` },
          {
            op: 'add',
            path: '/metadata/annotations',
            value: { ...annotations, [UNREJECT_ANNOTATION]: plan.version },
          },
        ],
        unrejectManager(user),
      );
    });
    process.stdout.write(`${name}: ${version} no longer rejected\n`);
  });

  addClusterOptions(
    program
      .command('approve')
      .description('approve the version of APP waiting in an approval-gated PROMOTION (that exact version)')
      .argument('<promotion>', 'Promotion name')
      .argument('<app>', 'Application name')
      .argument('[version]', 'the version (default: the one waiting)'),
  ).action(async (promotionName: string, name: string, version: string | undefined, opts: ClusterOptions) => {
    const client = DepotClient.connect(opts);
    const [promotion, applications, user] = await Promise.all([
      client.get<Promotion>(Promotions, promotionName),
      client.list<Application>(Applications),
      client.userName(),
    ]);
    const plan = planApproval(promotion, applications, name, version);
    if (!plan.ok) throw new UserError(plan.message);
    await client.apply(
      Promotions,
      promotionName,
      {
        apiVersion: API_VERSION,
        kind: 'Promotion',
        metadata: { name: promotionName, namespace: client.namespace },
        spec: { approvals: [{ application: name, version: plan.version }] },
      },
      approveManager(name, plan.version, user),
    );
    process.stdout.write(`${promotionName}: approved ${name} ${plan.version}\n`);
  });
}
