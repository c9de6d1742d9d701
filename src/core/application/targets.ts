// An Application's targets: every Target of each of its environments (a new
// Target reaches every application with no edit), what each should run, and
// what is kept from the previous status. A deployed report belongs to
// (target, environment): a Target moved to another environment starts over.
// An unreadable Target keeps its entry where it was.
import type {
  ApplicationEnvironmentStatus,
  ApplicationTargetStatus,
  DeliveryState,
} from '../../api/application.js';
import type { Target } from '../../api/target.js';
import type { UnreadableObjects } from './resolution.js';

/** A target the application must run its environment's desired version on. */
export interface PlannedTarget {
  target: Target;
  environment: string;
  desired: string | undefined;
  /** Its previous entry, only when it was in the same environment. */
  previous: ApplicationTargetStatus | undefined;
}

export interface TargetPlan {
  planned: PlannedTarget[];
  /** Entries of unreadable Targets, as they were. */
  kept: ApplicationTargetStatus[];
}

export function planTargets(
  environments: readonly ApplicationEnvironmentStatus[],
  byEnv: ReadonlyMap<string, Target[]>,
  previous: ReadonlyMap<string, ApplicationTargetStatus>,
  unreadable: UnreadableObjects,
): TargetPlan {
  const planned: PlannedTarget[] = [];
  const kept: ApplicationTargetStatus[] = [];
  for (const e of environments) {
    for (const target of byEnv.get(e.name) ?? []) {
      const before = previous.get(target.metadata.name);
      planned.push({
        target,
        environment: e.name,
        desired: e.desired,
        previous: before?.environment === e.name ? before : undefined,
      });
    }
    for (const t of previous.values())
      if (t.environment === e.name && unreadable.targets?.has(t.name)) kept.push(t);
  }
  return { planned, kept };
}

/** A deployed version read back by an integration (e.g. from an Argo CD Application's status). */
export interface DeployedReport {
  version: string;
  /** Who reports it, for the Deployed history entry: the integration (argocd, flux). */
  actor: string;
}

/**
 * The entry of a planned target with its delivery state. A report from an
 * integration replaces `deployed` (deployedAt moves only when the version
 * does); without one the previous report is kept, never lost.
 */
export function targetEntry(
  p: PlannedTarget,
  delivery: DeliveryState,
  report?: DeployedReport,
  now?: Date,
): ApplicationTargetStatus {
  const moved = report !== undefined && report.version !== p.previous?.deployed;
  const deployed = report?.version ?? p.previous?.deployed;
  const deployedAt = moved ? (now ?? new Date()).toISOString() : p.previous?.deployedAt;
  return {
    name: p.target.metadata.name,
    environment: p.environment,
    ...(p.desired !== undefined ? { desired: p.desired } : {}),
    ...(deployed !== undefined ? { deployed } : {}),
    ...(deployedAt !== undefined ? { deployedAt } : {}),
    delivery,
  };
}

/** Target names of an environment: the readable ones there now, and unreadable ones that were there. */
export function targetNames(
  env: string,
  byEnv: ReadonlyMap<string, Target[]>,
  before: ApplicationEnvironmentStatus | undefined,
  unreadable: UnreadableObjects,
): string[] {
  const now = (byEnv.get(env) ?? []).map((t) => t.metadata.name);
  const kept = (before?.targets ?? []).filter((n) => unreadable.targets?.has(n) && !now.includes(n));
  return [...now, ...kept].sort();
}
