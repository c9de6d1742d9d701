// argocd_e2e_latency: Depot delivering through the real Argo CD. 20 version changes in turn
// (the `depot set-version` action, in this process); for each, seconds from the request until
// Depot's status shows it deployed, split as the harness sees it on its watches: write (the
// Argo CD Application carries it), argocd (Synced + Healthy at the tag's commit), depot
// (status.targets[].deployed). Argo CD's own timestamps are kept beside them.
import { CoreV1Api } from '@kubernetes/client-node';
import { DepotClient } from '../../src/client/depot-client.js';
import { setVersion } from '../../src/actions/versions.js';
import type { ActionContext, ActionPort } from '../../src/actions/port.js';
import {
  APP,
  ARGO_APPLICATIONS,
  ArgocdRealWorld,
  ENVIRONMENT,
  RECONCILIATION_S,
  REAL_ARGO_NAMESPACE,
  SYNC_NAMESPACE,
  releaseVersions,
} from '../argocd-real-world.js';
import type { BenchClient } from '../bench-client.js';
import { DEPOT_GROUP, DEPOT_VERSION } from '../bench-client.js';
import { Measurement, type Measured } from '../measurement.js';
import { ObjectWatch } from '../object-watch.js';
import type { Group, Scenario } from '../scenario.js';
import { latencySummary, round } from '../stats.js';
import { NAMESPACE } from './groups.js';

export const E2E_CHANGES = 20;
/** Bound of one change (Argo CD's comparison, sync and refresh included). */
const PER_CHANGE_BOUND_MS = 120_000;

interface ArgoApp {
  metadata?: { resourceVersion?: string };
  spec?: { source?: { targetRevision?: string } };
  status?: {
    sync?: { status?: string; revision?: string; comparedTo?: { source?: { targetRevision?: string } } };
    health?: { status?: string };
    reconciledAt?: string;
    operationState?: {
      phase?: string;
      startedAt?: string;
      finishedAt?: string;
      operation?: { sync?: { revision?: string } };
      syncResult?: { revision?: string };
    };
  };
}

interface DepotApp {
  metadata?: { resourceVersion?: string };
  status?: { targets?: { name?: string; deployed?: string }[] };
}

export const argocdRealGroup: Group<ArgocdRealWorld> = {
  name: 'argocd-real',
  // Argo CD's processes and the releases; the build, if needed, comes on top (cached in .cache/).
  setupS: 90,
  setup: (env) => ArgocdRealWorld.setup(env, { namespace: NAMESPACE, changes: E2E_CHANGES }),
  teardown: (world) => world.teardown(),
};

/** Argo CD reports Synced + Healthy with the version compared and the tag's commit synced. */
export function argocdSyncedAt(a: ArgoApp, version: string, commit: string): boolean {
  const s = a.status;
  return (
    s?.sync?.status === 'Synced' &&
    s.health?.status === 'Healthy' &&
    s.sync.comparedTo?.source?.targetRevision === version &&
    s.sync.revision === commit
  );
}

export function depotDeployed(a: DepotApp, version: string): boolean {
  return a.status?.targets?.some((t) => t.name === ENVIRONMENT && t.deployed === version) === true;
}

/** The CLI's action port, with every request counted as the harness's own. */
function countedPort(port: ActionPort, client: BenchClient): ActionPort {
  return {
    get: (r, ns, name, opts) => (client.count('GET', r.plural, '', r.group), port.get(r, ns, name, opts)),
    list: (r, ns) => (client.count('LIST', r.plural, '', r.group), port.list(r, ns)),
    apply: (r, ns, name, body, fm) => (
      client.count('APPLY', r.plural, '', r.group),
      port.apply(r, ns, name, body, fm)
    ),
    patch: (r, ns, name, body, opts) => (
      client.count('PATCH', r.plural, '', r.group),
      port.patch(r, ns, name, body, opts)
    ),
  };
}

const API_VERBS: Record<string, string> = { create: 'POST', update: 'PUT', patch: 'PATCH', delete: 'DELETE' };

/**
 * The API server counts Argo CD's writes (its status patches, the synced
 * ConfigMap, its Events) with the operator's: `operator_writes` becomes the
 * operator's own, from its /metrics, and the API server's figure is kept as
 * `operator_and_argocd_writes`.
 */
export function depotWritesApart(measured: Measured): Measured {
  const { operator_writes: both, ...requests } = measured.api_requests;
  const byVerb: Record<string, number> = {};
  for (const [verb, n] of Object.entries(measured.operator_metrics?.api_requests ?? {}))
    if (API_VERBS[verb] && n > 0) byVerb[API_VERBS[verb]] = n;
  const total = Object.values(byVerb).reduce((a, b) => a + b, 0);
  return {
    ...measured,
    api_requests: {
      ...requests,
      operator_writes: { total, by_verb: byVerb, by_resource: {} },
      operator_writes_source: "the operator's /metrics (depot_api_requests_total), Leases apart",
      operator_and_argocd_writes: both,
    } as Measured['api_requests'],
  };
}

const seconds = (ms: number) => round(ms / 1000, 3);
const summary = (ms: number[]) => latencySummary(ms) ?? null;

export const argocdE2eLatency: Scenario<ArgocdRealWorld> = {
  key: 'argocd_e2e_latency',
  group: argocdRealGroup,
  title: `${E2E_CHANGES} set-version changes, one at a time, delivered through the real Argo CD (automated sync from a local Git server); request → deployed, split into Depot's write, Argo CD's sync, Depot after Synced`,
  target: 'reference (no target): our share is the write and the part after Synced',
  notQuick: true,
  // A run takes about 20 s once set up; each change is bounded on its own.
  boundS: () => 300,
  minimumS: () => 60,
  async run(world, ctx) {
    const client = world.cluster.client;
    const op = await world.ensureOperator(ctx.deadline);
    const argo = new ObjectWatch<ArgoApp>(client, {
      ...ARGO_APPLICATIONS,
      namespace: REAL_ARGO_NAMESPACE,
      name: APP,
    });
    const depot = new ObjectWatch<DepotApp>(client, {
      group: DEPOT_GROUP,
      version: DEPOT_VERSION,
      plural: 'applications',
      namespace: world.namespace,
      name: APP,
    });
    await Promise.all([argo.start(), depot.start()]);
    const cli = DepotClient.forKubeConfig(world.cluster.kc, world.namespace);
    // Who acts (a SelfSubjectReview), once: the CLI's start-up, like its process start, is not measured.
    client.count('POST', 'selfsubjectreviews', '', 'authentication.k8s.io');
    const context = await cli.actionContext();
    const ac: ActionContext = { ...context, port: countedPort(context.port, client) };
    const versions = releaseVersions(E2E_CHANGES);
    try {
      // Precondition: the first release deployed through Argo CD.
      const first = versions[0]!;
      const start = await depot.until(
        (a) => depotDeployed(a, first),
        Math.min(ctx.deadline, Date.now() + PER_CHANGE_BOUND_MS),
        ctx.env.signal,
      );
      if (!start)
        throw new Error(`${APP} never showed ${first} deployed through Argo CD\n${world.logTails()}`);

      const m = await Measurement.begin(world.cluster, op);
      const changes: Record<string, unknown>[] = [];
      const total: number[] = [];
      const write: number[] = [];
      const argocd: number[] = [];
      const after: number[] = [];
      let timedOut = 0;
      let stoppedAtBound = false;
      for (const version of versions.slice(1)) {
        if (Date.now() > ctx.deadline - 5_000) {
          stoppedAtBound = true;
          break;
        }
        const commit = world.commits.get(version)!;
        const sent = Date.now();
        const bound = Math.min(ctx.deadline, sent + PER_CHANGE_BOUND_MS);
        const signal = ctx.env.signal;
        const carried = argo.until((a) => a.spec?.source?.targetRevision === version, bound, signal);
        const operationStarted = argo.until(
          (a) => a.status?.operationState?.operation?.sync?.revision === commit,
          bound,
          signal,
        );
        const synced = argo.until((a) => argocdSyncedAt(a, version, commit), bound, signal);
        const deployed = depot.until((a) => depotDeployed(a, version), bound, signal);
        // What `depot set-version web dev <version>` runs, as the kubeconfig's user.
        await setVersion(ac, { application: APP, environment: ENVIRONMENT, version });
        const requested = Date.now();
        const [c, s, d] = await Promise.all([carried, synced, deployed]);
        // Only recorded: a sync the harness did not see (or an Argo CD naming it otherwise) does not hold the change up.
        const o = await Promise.race([operationStarted, Promise.resolve(undefined)]);
        const state = s?.object.status;
        const change = {
          version,
          commit,
          request_s: seconds(requested - sent),
          target_revision_s: c ? seconds(c.at - sent) : null,
          argocd_operation_seen_s: o ? seconds(o.at - sent) : null,
          argocd_synced_healthy_s: s ? seconds(s.at - sent) : null,
          deployed_s: d ? seconds(d.at - sent) : null,
          argocd_timestamps: {
            operation_started_at: state?.operationState?.startedAt ?? null,
            operation_finished_at: state?.operationState?.finishedAt ?? null,
            operation_phase: state?.operationState?.phase ?? null,
            reconciled_at: state?.reconciledAt ?? null,
          },
        };
        changes.push(change);
        if (!(c && s && d)) {
          timedOut++;
          ctx.env.log(
            `argocd_e2e_latency: ${version} not through within the bound: ${JSON.stringify(change)}`,
          );
          continue;
        }
        total.push(d.at - sent);
        write.push(c.at - sent);
        argocd.push(s.at - c.at);
        // The harness sees both on watches: Depot may show it in the same instant.
        after.push(Math.max(0, d.at - s.at));
      }
      const measured = depotWritesApart(await m.end(op));
      // The version in the object Argo CD synced, not only in status.
      client.count('GET', 'configmaps', '', '');
      const cm = await client.kc
        .makeApiClient(CoreV1Api)
        .readNamespacedConfigMap({ name: APP, namespace: SYNC_NAMESPACE })
        .catch(() => undefined);
      return {
        changes_requested: E2E_CHANGES,
        changes_measured: total.length,
        timed_out: timedOut,
        stopped_at_bound: stoppedAtBound,
        per_change_bound_s: PER_CHANGE_BOUND_MS / 1000,
        total: summary(total),
        depot_write: summary(write),
        argocd_sync: summary(argocd),
        depot_after_synced: summary(after),
        depot_share: summary(total.map((t, i) => t - argocd[i]!)),
        synced_configmap_version: cm?.data?.version ?? null,
        last_version: changes.length ? (changes[changes.length - 1] as { version: string }).version : null,
        argocd: {
          version: world.argocdVersion,
          reconciliation_s: RECONCILIATION_S,
          sync_policy: 'automated',
          watch_restarts: argo.restarts,
        },
        changes,
        operator_flags: op.flags,
        ...measured,
      };
    } finally {
      argo.stop();
      depot.stop();
    }
  },
};
