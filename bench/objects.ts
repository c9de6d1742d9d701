// The objects of a benchmark namespace: Environments, the EnvironmentSet that
// orders them, Targets (2 per environment, delivery `none` by default) and
// Applications that use the set. A scenario with another delivery (e.g. Argo
// CD) passes its own topology.
import type { BenchClient, DepotObject } from './bench-client.js';

export interface Topology {
  environments: string[];
  targetsPerEnvironment: number;
  /** spec.delivery of every Target, e.g. { none: {} }. */
  delivery: Record<string, unknown>;
  /** spec.compatibility of the i-th Application (1-based), if any. */
  compatibility?: (i: number) => Record<string, unknown>[];
}

/** The 1k scenarios' setup: an EnvironmentSet of 3 Environments × 2 Targets each, delivery `none`. */
export const threeEnvironmentsTwoNoneTargets: Topology = {
  environments: ['dev', 'staging', 'prod'],
  targetsPerEnvironment: 2,
  delivery: { none: {} },
};

export const ENVIRONMENT_SET = 'default';
export const APP_LABEL = 'bench.depot.sh/app';

const apiVersion = 'depot.sh/v1alpha1';

export function targetName(environment: string, i: number): string {
  return `${environment}-${String.fromCharCode(97 + i)}`;
}

export function topologyObjects(t: Topology): { plural: string; body: DepotObject }[] {
  const out: { plural: string; body: DepotObject }[] = [];
  for (const env of t.environments) {
    out.push({
      plural: 'environments',
      body: {
        apiVersion,
        kind: 'Environment',
        metadata: { name: env },
        spec: { description: `${env} (benchmark)` },
      },
    });
  }
  out.push({
    plural: 'environmentsets',
    body: {
      apiVersion,
      kind: 'EnvironmentSet',
      metadata: { name: ENVIRONMENT_SET },
      spec: { environments: t.environments },
    },
  });
  for (const env of t.environments) {
    for (let i = 0; i < t.targetsPerEnvironment; i++) {
      out.push({
        plural: 'targets',
        body: {
          apiVersion,
          kind: 'Target',
          metadata: { name: targetName(env, i) },
          spec: { environment: env, delivery: t.delivery },
        },
      });
    }
  }
  return out;
}

export async function installTopology(client: BenchClient, namespace: string, t: Topology): Promise<void> {
  await client.createNamespace(namespace);
  for (const { plural, body } of topologyObjects(t))
    await client.create(plural, namespace, { ...body, metadata: { ...body.metadata, namespace } });
}

export function appName(i: number): string {
  return `app-${String(i).padStart(5, '0')}`;
}

export function appNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => appName(i + 1));
}

export function applicationObject(
  namespace: string,
  name: string,
  versions: Record<string, string>,
  compatibility?: Record<string, unknown>[],
): DepotObject {
  return {
    apiVersion,
    kind: 'Application',
    metadata: { name, namespace, labels: { [APP_LABEL]: name } },
    spec: {
      description: `Benchmark application ${name}`,
      url: `https://example.com/${name}`,
      environmentSets: [ENVIRONMENT_SET],
      versions,
      ...(compatibility?.length ? { compatibility } : {}),
    },
  };
}

/**
 * A chain of rules (promotion_1k_chain): the same namespace, where every Application
 * requires the one before it (app-00002 requires app-00001, …), from version
 * 1.1.0 on: the whole namespace is one group linked by rules that hold for
 * the versions the benchmark uses, so every request is evaluated against
 * its neighbours and none has to wait for another.
 */
export const threeEnvironmentsChainOfRules: Topology = {
  ...threeEnvironmentsTwoNoneTargets,
  compatibility: (i) =>
    i <= 1
      ? []
      : [{ when: '>=1.1.0', requires: { application: appName(i - 1), versions: '>=1.0.0 <2.0.0' } }],
};
