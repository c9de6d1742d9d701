// Commands that write versions: set-version, promote, set-deployed.
import type { Command } from 'commander';
import type { Application } from '../../api/application.js';
import { parseEnvironmentSet, type EnvironmentSet } from '../../api/environment-set.js';
import type { Environment } from '../../api/environment.js';
import type { Promotion } from '../../api/promotion.js';
import { EnvironmentSets, Environments, Promotions } from '../../api/resources.js';
import { DepotClient } from '../../client/depot-client.js';
import { planManualPromotion } from '../../core/manual-promotion.js';
import { resolveEnvironments } from '../../core/application/resolution.js';
import { addClusterOptions, type ClusterOptions } from '../cluster-options.js';
import { UserError } from '../errors.js';

const byName = <T extends { metadata: { name: string } }>(items: T[]) =>
  new Map(items.map((i) => [i.metadata.name, i]));

/**
 * Refuses an environment the application does not have (a typo such as `prd`),
 * as `promote` does. Its environments come from its spec and EnvironmentSets as
 * they are now, so the check works before the operator has written a status;
 * the status's environments count too only while a set is missing or invalid.
 */
function checkEnvironment(
  app: Application,
  env: string,
  sets: readonly EnvironmentSet[],
  namespace: string,
): void {
  const valid = new Map<string, EnvironmentSet>();
  const invalid = new Set<string>();
  for (const set of sets) {
    const parsed = parseEnvironmentSet(set);
    if (parsed.ok) valid.set(set.metadata.name, parsed.value);
    else invalid.add(set.metadata.name);
  }
  // Environment objects are not needed for the names (a missing one is the operator's report).
  const { names } = resolveEnvironments(app, valid, new Map());
  const unresolvedSets = (app.spec.environmentSets ?? []).filter((name) => !valid.has(name));
  if (unresolvedSets.length > 0) {
    for (const e of app.status?.environments ?? []) if (!names.includes(e.name)) names.push(e.name);
  }
  if (names.includes(env)) return;
  const unresolved = unresolvedSets.map((name) =>
    invalid.has(name)
      ? `EnvironmentSet "${name}" is invalid (see \`kubectl describe environmentset ${name}\`)`
      : `EnvironmentSet "${name}" does not exist in namespace ${namespace}`,
  );
  const known = names.length > 0 ? names.join(', ') : 'none';
  const why = unresolved.length > 0 ? `: ${unresolved.join('; ')}` : '';
  throw new UserError(`${env} is not an environment of ${app.metadata.name} (${known}${why})`);
}

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
    async (appName: string, env: string, version: string, opts: ClusterOptions & { force: boolean }) => {
      const client = DepotClient.connect(opts);
      const sets = await client.list<EnvironmentSet>(EnvironmentSets);
      const user = await client.userName();
      await client.requestVersion(
        appName,
        env,
        version,
        { kind: 'set-version', user },
        { force: opts.force, check: (app) => checkEnvironment(app, env, sets, client.namespace) },
      );
      process.stdout.write(`${appName}: ${env} requested ${version}${opts.force ? ' (forced)' : ''}\n`);
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
  ).action(async (appName: string, env: string, opts: ClusterOptions & { from?: string; force: boolean }) => {
    const client = DepotClient.connect(opts);
    const [promotions, sets, environments, user] = await Promise.all([
      client.list<Promotion>(Promotions),
      client.list<EnvironmentSet>(EnvironmentSets),
      client.list<Environment>(Environments),
      client.userName(),
    ]);
    const plan = await client.withConflictRetry(async () => {
      const app = await client.application(appName);
      const p = planManualPromotion({
        app,
        to: env,
        from: opts.from,
        promotions,
        sets: byName(sets),
        environments: byName(environments),
      });
      if (!p.ok) throw new UserError(p.message);
      // Guarded by the resourceVersion read here: a change meanwhile means planning again.
      await client.applyVersion(app, env, p.version, { kind: 'promote', user }, { force: opts.force });
      return p;
    });
    process.stdout.write(
      `${appName}: promoted ${plan.version} from ${plan.from} to ${plan.to} (source: ${plan.via})\n`,
    );
  });

  addClusterOptions(
    program
      .command('set-deployed')
      .description(
        "report that TARGET runs VERSION of APP (what a deploy job runs; Argo CD and Flux patch targets report it from their objects' status)",
      )
      .argument('<app>', 'Application name')
      .argument('<target>', 'Target name')
      .argument('<version>', 'the deployed version'),
  ).action(async (appName: string, targetName: string, version: string, opts: ClusterOptions) => {
    await DepotClient.connect(opts).reportDeployed(appName, targetName, version);
    process.stdout.write(`${appName}: ${targetName} reports ${version} deployed\n`);
  });
}
