// Commands that write versions: set-version, promote, set-deployed.
import type { Command } from 'commander';
import type { Application, ApplicationTargetStatus } from '../../api/application.js';
import { parseEnvironmentSet, type EnvironmentSet } from '../../api/environment-set.js';
import type { Environment } from '../../api/environment.js';
import type { Promotion } from '../../api/promotion.js';
import { API_VERSION } from '../../api/group.js';
import { FORCE_ANNOTATION_PREFIX } from '../../core/application/force.js';
import { planManualPromotion } from '../../core/manual-promotion.js';
import { resolveEnvironments } from '../../core/application/resolution.js';
import {
  MANUAL_PROMOTE_MANAGER_PREFIX,
  SET_VERSION_MANAGER_PREFIX,
  userManager,
} from '../../core/writers.js';
import { addClusterOptions, Cluster, type ClusterOptions } from '../cluster.js';
import { UserError } from '../errors.js';

const byName = <T extends { metadata: { name: string } }>(items: T[]) =>
  new Map(items.map((i) => [i.metadata.name, i]));

/** Applies spec.versions[env] (and the force annotation when forced) as the caller's per-environment manager. */
async function writeVersion(
  cluster: Cluster,
  app: Application,
  env: string,
  version: string,
  opts: { force: boolean; prefix: typeof SET_VERSION_MANAGER_PREFIX | typeof MANUAL_PROMOTE_MANAGER_PREFIX },
): Promise<void> {
  const user = await cluster.userName();
  const body = {
    apiVersion: API_VERSION,
    kind: 'Application',
    metadata: {
      name: app.metadata.name,
      // A precondition: apply must never create an Application that was deleted meanwhile.
      resourceVersion: app.metadata.resourceVersion,
      ...(opts.force ? { annotations: { [`${FORCE_ANNOTATION_PREFIX}${env}`]: version } } : {}),
    },
    spec: { versions: { [env]: version } },
  };
  await cluster.apply('applications', app.metadata.name, body, userManager(opts.prefix, env, user));
}

/** Retries a read-modify-write on 409 Conflict (another writer was faster). */
async function withConflictRetry<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const conflict =
        /Conflict|the object has been modified/i.test(String((err as Error).message)) ||
        (err as { code?: number }).code === 409;
      if (!conflict || i >= attempts) throw err;
    }
  }
}

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
      .option('--force', 'deliver even during a freeze window (recorded as Forced)', false),
  ).action(
    async (appName: string, env: string, version: string, opts: ClusterOptions & { force: boolean }) => {
      const cluster = Cluster.from(opts);
      const sets = await cluster.list<EnvironmentSet>('environmentsets');
      await withConflictRetry(async () => {
        const app = await cluster.application(appName);
        checkEnvironment(app, env, sets, cluster.namespace);
        await writeVersion(cluster, app, env, version, {
          force: opts.force,
          prefix: SET_VERSION_MANAGER_PREFIX,
        });
      });
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
      .option('--force', 'deliver even during a freeze window (recorded as Forced)', false),
  ).action(async (appName: string, env: string, opts: ClusterOptions & { from?: string; force: boolean }) => {
    const cluster = Cluster.from(opts);
    const [promotions, sets, environments] = await Promise.all([
      cluster.list<Promotion>('promotions'),
      cluster.list<EnvironmentSet>('environmentsets'),
      cluster.list<Environment>('environments'),
    ]);
    const plan = await withConflictRetry(async () => {
      const app = await cluster.application(appName);
      const p = planManualPromotion({
        app,
        to: env,
        from: opts.from,
        promotions,
        sets: byName(sets),
        environments: byName(environments),
      });
      if (!p.ok) throw new UserError(p.message);
      await writeVersion(cluster, app, env, p.version, {
        force: opts.force,
        prefix: MANUAL_PROMOTE_MANAGER_PREFIX,
      });
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
        'report that TARGET runs VERSION of APP (what a deploy job runs: Depot does not read Argo CD or Flux status yet)',
      )
      .argument('<app>', 'Application name')
      .argument('<target>', 'Target name')
      .argument('<version>', 'the deployed version'),
  ).action(async (appName: string, targetName: string, version: string, opts: ClusterOptions) => {
    const cluster = Cluster.from(opts);
    const user = await cluster.userName();
    await withConflictRetry(async () => {
      const app = await cluster.application(appName);
      const targets: ApplicationTargetStatus[] = app.status?.targets ?? [];
      if (!targets.some((t) => t.name === targetName)) {
        throw new UserError(
          `${targetName} is not a target of ${appName}${targets.length ? ` (targets: ${targets.map((t) => t.name).join(', ')})` : ' yet (is the operator running?)'}`,
        );
      }
      const now = new Date().toISOString();
      const next = targets.map((t) =>
        t.name === targetName ? { ...t, deployed: version, deployedAt: now } : t,
      );
      try {
        await cluster.patchStatus(
          'applications',
          appName,
          { metadata: { resourceVersion: app.metadata.resourceVersion }, status: { targets: next } },
          `depot-cli.deployed.${user}`.slice(0, 128),
        );
      } catch (err) {
        if ((err as { code?: number }).code === 409) throw err;
        throw cluster.explain(err, 'applications', appName);
      }
    });
    process.stdout.write(`${appName}: ${targetName} reports ${version} deployed\n`);
  });
}
