// Small builders for core unit tests: valid objects with only what a test cares about.
import type { Application, ApplicationSpec } from '../../api/application.js';
import type { Environment, Freeze } from '../../api/environment.js';
import type { EnvironmentSet } from '../../api/environment-set.js';
import type { Promotion, PromotionApprovalGate, PromotionSpec } from '../../api/promotion.js';
import type { Target } from '../../api/target.js';
import type { ApplicationInput } from '../application/plan.js';
import type { ManagedFieldsEntry } from '../field-managers.js';
import type { KubeObject, ObjectMeta } from '../../kube/resource.js';

const meta = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  namespace: 'ns',
  generation: 1,
  ...extra,
});

export function app(
  name: string,
  spec: Partial<ApplicationSpec> = {},
  extra: Partial<Application> = {},
): Application {
  return {
    apiVersion: 'depot.sh/v1alpha1',
    kind: 'Application',
    metadata: meta(name),
    spec: { versionScheme: 'semver', environmentSets: ['default'], ...spec },
    ...extra,
  } as Application;
}

export function env(name: string, freeze?: Freeze): Environment {
  return {
    apiVersion: 'depot.sh/v1alpha1',
    kind: 'Environment',
    metadata: meta(name),
    spec: freeze ? { freeze } : {},
  } as Environment;
}

export function set(name: string, environments: string[]): EnvironmentSet {
  return {
    apiVersion: 'depot.sh/v1alpha1',
    kind: 'EnvironmentSet',
    metadata: meta(name),
    spec: { environments },
  } as EnvironmentSet;
}

export function target(name: string, environment: string, delivery?: Target['spec']['delivery']): Target {
  return {
    apiVersion: 'depot.sh/v1alpha1',
    kind: 'Target',
    metadata: meta(name),
    spec: { environment, ...(delivery ? { delivery } : {}) },
  } as Target;
}

export function promotion(
  name: string,
  spec: Partial<Omit<PromotionSpec, 'approval'>> & {
    from: string;
    to: string;
    approval?: Partial<PromotionApprovalGate>;
  },
  extra: Partial<Promotion> = {},
): Promotion {
  const { approval, ...rest } = spec;
  return {
    apiVersion: 'depot.sh/v1alpha1',
    kind: 'Promotion',
    metadata: meta(name, { creationTimestamp: '2026-01-01T00:00:00Z' }),
    spec: {
      requireDeployed: false,
      suspend: false,
      ...rest,
      // The defaults the API server fills in.
      ...(approval
        ? { approval: { required: false, minApprovals: 1, allowSelfApproval: false, ...approval } }
        : {}),
    },
    ...extra,
  } as Promotion;
}

/** managedFields saying `manager` wrote spec.versions.<env> at `time`. */
export function wrote(manager: string, envs: string[], time = '2026-11-20T10:00:00Z'): ManagedFieldsEntry {
  return {
    manager,
    operation: 'Apply',
    time,
    fieldsV1: { 'f:spec': { 'f:versions': Object.fromEntries(envs.map((e) => [`f:${e}`, {}])) } },
  };
}

export const byName = <T extends { metadata: { name: string } }>(...items: T[]) =>
  new Map(items.map((i) => [i.metadata.name, i]));

/** The usual namespace of the Application tests: dev → staging → prod, dev-1, prod-eu and prod-us. */
export function applicationInput(
  a: Application,
  now: Date,
  extra: Partial<ApplicationInput> = {},
): ApplicationInput {
  return {
    app: a,
    environments: byName(env('dev'), env('staging'), env('prod')),
    sets: byName(set('default', ['dev', 'staging', 'prod'])),
    targets: [target('dev-1', 'dev'), target('prod-eu', 'prod'), target('prod-us', 'prod')],
    now,
    historyLimit: 100,
    ...extra,
  };
}

/**
 * A Depot object of any kind as a controller test puts it in its in-memory
 * cluster: namespace `team`, a uid and generation 1 unless `metadata` says otherwise.
 */
export function stored(
  kind: string,
  name: string,
  spec: object,
  metadata: Partial<ObjectMeta> = {},
): KubeObject {
  return {
    apiVersion: 'depot.sh/v1alpha1',
    kind,
    metadata: { name, namespace: 'team', uid: `uid-${name}`, generation: 1, ...metadata },
    spec,
  };
}
