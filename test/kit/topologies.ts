// The environment layouts the tests share: environments in order, one
// EnvironmentSet naming them, and Targets; the test adds its Applications.
import type { KubernetesObject } from '@kubernetes/client-node';
import { environment, environmentSet, target } from './objects.js';

type EnvironmentSpec = NonNullable<Parameters<typeof environment>[1]>;

export interface TopologyOptions {
  /** Target name → its environment (none unless named). */
  targets?: Record<string, string>;
  /** An environment's spec, by name (default empty). */
  specs?: Record<string, Partial<EnvironmentSpec>>;
  /** The EnvironmentSet's name (default `default`). */
  set?: string;
}

/** Environments `names` in order, a set naming them all, and the targets. */
export function environments(names: string[], opts: TopologyOptions = {}): KubernetesObject[] {
  return [
    ...names.map((n) => environment(n, opts.specs?.[n] ?? {})),
    environmentSet(opts.set ?? 'default', names),
    ...Object.entries(opts.targets ?? {}).map(([name, env]) => target(name, env)),
  ];
}

/** dev → staging → prod. */
export const threeEnvironments = (opts?: TopologyOptions) => environments(['dev', 'staging', 'prod'], opts);

/** dev → prod. */
export const twoEnvironments = (opts?: TopologyOptions) => environments(['dev', 'prod'], opts);
