// converge_1k_argocd: N Applications × 3 Environments × 2 Argo CD Targets
// (6 × N Argo CD Applications, upstream CRD, opted in); a new dev version on
// all N at once; seconds until all 2 × N dev Argo CD Applications carry it,
// against a bare script doing the same 2 × N patches in the same run (the
// operator stopped), and the operator's writes once converged (should be 0).
import { ArgocdWorld } from '../argocd-world.js';
import { Measurement } from '../measurement.js';
import { secondsSince } from '../outcome.js';
import { waitSettled } from '../settle.js';
import { scaled, type Group, type Scenario } from '../scenario.js';
import { round } from '../stats.js';
import { NAMESPACE } from './groups.js';

export const ARGOCD_VERSION = '1.1.0';
/** The operator's --delivery-concurrency default: the bare script patches as many at once. */
const DELIVERY_CONCURRENCY = 16;
const IDLE_WINDOW_S = 20;

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

/** Writes other than Events (status patches, Argo CD Application patches). */
function writesButEvents(w: { total: number; by_resource: Record<string, Record<string, number>> }): number {
  const events = Object.values(w.by_resource['events.events.k8s.io'] ?? {}).reduce((a, b) => a + b, 0);
  return w.total - events;
}
