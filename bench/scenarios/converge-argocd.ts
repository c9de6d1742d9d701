// converge_1k_argocd: N Applications × 3 Environments × 2 Argo CD Targets
// (6 × N Argo CD Applications, upstream CRD, opted in); a new dev version on
// all N at once; seconds until all 2 × N dev Argo CD Applications carry it,
// against a bare script doing the same 2 × N patches in the same run (the
// operator stopped), and the operator's writes once converged (should be 0).
import { ArgocdWorld } from '../argocd-world.js';
import { Measurement } from '../measurement.js';
import { secondsSince } from '../outcome.js';
import { waitSettled } from '../settle.js';
import { forEachBounded } from '../bounded.js';
import { touchedStatus } from './baseline.js';
import { readStatuses } from './converge.js';
import { scaled, type Group, type Scenario } from '../scenario.js';
import { round } from '../stats.js';
import { NAMESPACE } from './groups.js';

export const ARGOCD_VERSION = '1.1.0';
/** The operator's --delivery-concurrency default: the bare script patches as many at once. */
const DELIVERY_CONCURRENCY = 16;
const IDLE_WINDOW_S = 20;
/** The dev version of the reference writes made once the operator is stopped. */
const REFERENCE_VERSION = '1.2.0';
/** Status patches at once in the reference: as many as delivery writes. */
const STATUS_CONCURRENCY = DELIVERY_CONCURRENCY;

export const argocdGroup: Group<ArgocdWorld> = {
  name: 'argocd',
  setupS: 120,
  setup: (env) => ArgocdWorld.setup(env, { namespace: NAMESPACE, apps: env.opts.apps }),
  teardown: (world) => world.teardown(),
};

export const converge1kArgocd: Scenario<ArgocdWorld> = {
  key: 'converge_1k_argocd',
  group: argocdGroup,
  title:
    'a new dev version on all N with 2 Argo CD Targets per environment; seconds until all 2 × N dev Argo CD Applications carry it, vs a bare script',
  target: '≤ 1.5 × bare script; 0 writes once converged',
  boundS: (o) => scaled(o.apps, 0.5, 120, 420),
  minimumS: () => 120,
  async run(world, ctx) {
    const apps = world.apps;
    const precondition = await apps.ensureApps(ctx, 0.4);
    const { op } = await apps.ensureOperator([], ctx.deadline);
    const names = apps.names.filter((n) => apps.requested.has(n));
    const dev = world.argoNames.dev;

    const m = await Measurement.begin(apps.cluster, op);
    const t0 = Date.now();
    const carried = world.waitRevisions(dev, ARGOCD_VERSION, t0, ctx.deadline);
    const writes = await apps.setVersions(names, 'dev', () => ARGOCD_VERSION, ctx.deadline);
    const writeS = secondsSince(t0);
    const argo = await carried;
    const status = await apps.waitConverged(names, ctx.deadline, ['dev']);
    const measured = await m.end(apps.operator);
    const statusS = status.done ? secondsSince(t0) : null;

    // Converged: what does the operator write while nothing changes? The
    // change's Events may still be draining (their own budget, 10/s): they are
    // counted apart from the writes that matter (status, Argo CD Applications).
    const settled = await waitSettled(
      op,
      Math.min(Date.now() + 30_000, ctx.deadline - (IDLE_WINDOW_S + 40) * 1000),
      {
        signal: ctx.env.signal,
      },
    );
    const idle = await Measurement.begin(apps.cluster, op);
    await new Promise((r) => setTimeout(r, IDLE_WINDOW_S * 1000));
    const idleMeasured = await idle.end(apps.operator);

    // The bare script: the same number of patches of the same field, the operator stopped.
    await apps.stopOperator('SIGTERM');
    const b = await Measurement.begin(apps.cluster);
    const tb = Date.now();
    const patched = await world.patchRevisions(dev, '1.2.0', DELIVERY_CONCURRENCY, ctx.deadline);
    const bareS = secondsSince(tb);
    const bareMeasured = await b.end();
    // The other writes of the change, alone, the operator still stopped: what each kind
    // costs the API server, and the least time all the change's writes take here.
    const others = await otherWrites(world, names, ctx.deadline);
    const writesS =
      others?.complete && patched.done === dev.length
        ? round(others.ci_applies.seconds + others.status_patches.seconds + bareS, 2)
        : null;

    return {
      version: ARGOCD_VERSION,
      argocd_applications: world.argoNames.all.length,
      dev_argocd_applications: dev.length,
      converged: argo.done,
      carried: argo.carried,
      seconds: argo.seconds,
      ...(argo.done ? {} : { after_s: secondsSince(t0) }),
      status_delivered_s: statusS,
      requests_written: writes.done,
      write_s: writeS,
      write_concurrency: ctx.env.opts.concurrency,
      bare_script: {
        patches: patched.done,
        seconds: bareS,
        concurrency: DELIVERY_CONCURRENCY,
        patches_per_s: bareS > 0 ? round(patched.done / bareS, 1) : null,
        ...bareMeasured,
      },
      ratio_to_bare_script: argo.seconds !== null && bareS > 0 ? round(argo.seconds / bareS, 2) : null,
      // All the writes of the change one kind after another with no operator (the CI's applies,
      // one status patch per application, the Argo CD patches): what an operator adding nothing approaches
      // where the API server's CPU is the limit (a reference: writes made at once overlap).
      bare_writes: others
        ? {
            ...others,
            argocd_patches: { seconds: bareS, apiserver_ms_per_write: perWrite(bareMeasured, patched.done) },
            seconds: writesS,
            ratio_of_bare_script: writesS !== null && bareS > 0 ? round(writesS / bareS, 2) : null,
          }
        : null,
      // One per change where nothing else changed: the events of the operator's own writes plan nothing again.
      application_reconciles_per_change:
        names.length > 0
          ? round((measured.operator_metrics?.reconciles?.application ?? 0) / names.length, 2)
          : null,
      idle: {
        settled_before_window: settled.settled,
        window_s: IDLE_WINDOW_S,
        writes_but_events: writesButEvents(idleMeasured.api_requests.operator_writes),
        operator_writes: idleMeasured.api_requests.operator_writes,
      },
      precondition,
      operator_flags: op.flags,
      ...measured,
    };
  },
};

/** API server CPU milliseconds per write of a measured step. */
function perWrite(m: { cpu: { apiserver_s: number } }, writes: number): number | null {
  return writes > 0 ? round((m.cpu.apiserver_s * 1000) / writes, 2) : null;
}

/**
 * With the operator stopped: the CI's applies of a new dev version (as the change), then
 * one status merge patch per application of the size the operator writes, STATUS_CONCURRENCY at a time.
 */
async function otherWrites(world: ArgocdWorld, names: readonly string[], deadline: number) {
  const apps = world.apps;
  if (Date.now() + 60_000 > deadline) return null;
  const m = await Measurement.begin(apps.cluster);
  const t = Date.now();
  const applied = await apps.setVersions(names, 'dev', () => REFERENCE_VERSION, deadline);
  const appliesS = secondsSince(t);
  const applies = await m.end();
  const statuses = await readStatuses(apps);
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const bodies = new Map([...statuses].map(([n, st]) => [n, { status: touchedStatus(st, stamp) }]));
  const s = await Measurement.begin(apps.cluster);
  const ts = Date.now();
  const patched = await forEachBounded(
    [...bodies.keys()],
    (name) => apps.cluster.client.mergePatchStatus('applications', apps.namespace, name, bodies.get(name)),
    { concurrency: STATUS_CONCURRENCY, deadline, signal: apps.env.signal },
  );
  const statusS = secondsSince(ts);
  const status = await s.end();
  const sizes = [...bodies.values()].map((b) => JSON.stringify(b).length);
  return {
    /** Every write done before the deadline (else only the per-write figures hold). */
    complete: applied.done === names.length && patched.done === bodies.size,
    ci_applies: {
      writes: applied.done,
      seconds: appliesS,
      concurrency: apps.env.opts.concurrency,
      apiserver_ms_per_write: perWrite(applies, applied.done),
    },
    status_patches: {
      writes: patched.done,
      seconds: statusS,
      concurrency: STATUS_CONCURRENCY,
      bytes_mean: Math.round(sizes.reduce((a, b) => a + b, 0) / Math.max(1, sizes.length)),
      apiserver_ms_per_write: perWrite(status, patched.done),
    },
  };
}

/** Writes other than Events (status patches, Argo CD Application patches). */
function writesButEvents(w: { total: number; by_resource: Record<string, Record<string, number>> }): number {
  const events = Object.values(w.by_resource['events.events.k8s.io'] ?? {}).reduce((a, b) => a + b, 0);
  return w.total - events;
}
