// The worlds scenarios run in. Each group gets a fresh control plane: the 1k
// scenarios share one namespace of N Applications (3 Environments × 2 Targets),
// memory_10k has its own with 10 × N.
import { AppsWorld } from '../apps-world.js';
import { threeEnvironmentsChainOfRules, threeEnvironmentsTwoNoneTargets } from '../objects.js';
import type { Group } from '../scenario.js';

export const NAMESPACE = 'bench';

export const appsGroup: Group<AppsWorld> = {
  name: 'apps',
  setupS: 60,
  setup: (env) =>
    AppsWorld.setup(env, {
      namespace: NAMESPACE,
      apps: env.opts.apps,
      topology: threeEnvironmentsTwoNoneTargets,
    }),
  teardown: (world) => world.teardown(),
};

export const memoryGroup: Group<AppsWorld> = {
  name: 'memory',
  setupS: 60,
  setup: (env) =>
    AppsWorld.setup(env, {
      namespace: NAMESPACE,
      apps: env.opts.memoryApps,
      topology: threeEnvironmentsTwoNoneTargets,
    }),
  teardown: (world) => world.teardown(),
};

/** N Applications linked by a chain of compatibility rules, on a fresh control plane. */
export const chainGroup: Group<AppsWorld> = {
  name: 'chain',
  setupS: 60,
  setup: (env) =>
    AppsWorld.setup(env, {
      namespace: NAMESPACE,
      apps: env.opts.apps,
      topology: threeEnvironmentsChainOfRules,
    }),
  teardown: (world) => world.teardown(),
};
