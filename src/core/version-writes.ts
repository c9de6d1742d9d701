// The writes of versions, built once for every writer (the CLI, the
// Promotion controller, and later the HTTP API and the agent): the
// server-side apply body of a requested version with its writer's field
// manager, and the status patch of a deployed report.
import type { Application, ApplicationTargetStatus } from '../api/application.js';
import { API_VERSION } from '../api/group.js';
import { forceAnnotation } from '../api/annotations.js';
import {
  MANUAL_PROMOTE_MANAGER_PREFIX,
  promotionManager,
  ROLLBACK_MANAGER_PREFIX,
  SET_VERSION_MANAGER_PREFIX,
  userManager,
} from './field-managers.js';

/** Who requests a version: a person or CI (set-version), a manual promotion, or a Promotion. */
export type VersionWriter =
  | { kind: 'set-version'; user: string }
  | { kind: 'promote'; user: string }
  | { kind: 'rollback'; user: string }
  | { kind: 'promotion'; promotion: string };

export interface ApplyWrite {
  fieldManager: string;
  /** The partial Application to server-side apply. */
  body: Record<string, unknown>;
}

export function writerManager(writer: VersionWriter, env: string): string {
  switch (writer.kind) {
    case 'set-version':
      return userManager(SET_VERSION_MANAGER_PREFIX, env, writer.user);
    case 'promote':
      return userManager(MANUAL_PROMOTE_MANAGER_PREFIX, env, writer.user);
    case 'rollback':
      return userManager(ROLLBACK_MANAGER_PREFIX, env, writer.user);
    case 'promotion':
      return promotionManager(writer.promotion, env);
  }
}

/**
 * spec.versions[env] = version, applied with the writer's own field manager
 * (per environment: applying dev must not drop the prod the same writer set
 * earlier). With `resourceVersion`, the apply is conditional: it never
 * creates an Application deleted meanwhile, nor overwrites a newer change.
 * `force` also applies the force annotation of that environment.
 */
export function versionRequest(r: {
  application: string;
  namespace: string;
  env: string;
  version: string;
  writer: VersionWriter;
  force?: boolean;
  resourceVersion?: string;
  /** More annotations this writer owns (a rollback's reason, an approver). */
  annotations?: Record<string, string>;
  /**
   * Also write the actor stamp (spec.requestedBy.<env>): only the operator,
   * which Depot's admission policies let name the user its HTTP API
   * authenticated, or a Promotion. Anyone else is stamped by the policy.
   */
  stamp?: boolean;
}): ApplyWrite {
  const annotations = {
    ...(r.force ? { [forceAnnotation(r.env)]: r.version } : {}),
    ...r.annotations,
  };
  return {
    fieldManager: writerManager(r.writer, r.env),
    body: {
      apiVersion: API_VERSION,
      kind: 'Application',
      metadata: {
        name: r.application,
        namespace: r.namespace,
        ...(r.resourceVersion ? { resourceVersion: r.resourceVersion } : {}),
        ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      },
      spec: {
        versions: { [r.env]: r.version },
        ...(r.stamp ? { requestedBy: { [r.env]: { user: writerActor(r.writer), version: r.version } } } : {}),
      },
    },
  };
}

/** The actor a writer's stamp names: the user, or `promotion <name>`. */
export function writerActor(writer: VersionWriter): string {
  return writer.kind === 'promotion' ? `promotion ${writer.promotion}` : writer.user;
}

/** Field manager of a person's or a job's deployed report. */
export const deployedReporter = (user: string): string => `depot-cli.deployed.${user}`.slice(0, 128);

export type DeployedReport =
  { ok: true; fieldManager: string; patch: Record<string, unknown> } | { ok: false; message: string };

/**
 * A merge patch of status.targets reporting that `target` runs `version`,
 * guarded by the Application's resourceVersion (a race gives 409, retried
 * on a fresh read).
 */
export function deployedReport(
  app: Application,
  target: string,
  version: string,
  user: string,
  now: Date,
): DeployedReport {
  const targets: ApplicationTargetStatus[] = app.status?.targets ?? [];
  if (!targets.some((t) => t.name === target)) {
    return {
      ok: false,
      message: `${target} is not a target of ${app.metadata.name}${targets.length ? ` (targets: ${targets.map((t) => t.name).join(', ')})` : ' yet (is the operator running?)'}`,
    };
  }
  const at = now.toISOString();
  return {
    ok: true,
    fieldManager: deployedReporter(user),
    patch: {
      metadata: { resourceVersion: app.metadata.resourceVersion },
      status: {
        targets: targets.map((t) => (t.name === target ? { ...t, deployed: version, deployedAt: at } : t)),
      },
    },
  };
}
