// Every scenario, in the order they run (grouped by world). A new scenario is
// one more entry here (converge_1k_argocd has a group of its own that installs
// the Argo CD CRD and its Applications; argocd_e2e_latency runs the real Argo CD).
import type { Scenario, ScenarioResult } from '../scenario.js';
import { round } from '../stats.js';
import { argocdE2eLatency } from './argocd-e2e.js';
import { baseline1k } from './baseline.js';
import { converge1k } from './converge.js';
import { converge1kArgocd } from './converge-argocd.js';
import { dashboard10k, dashboard1k } from './dashboard.js';
import { create1k } from './create.js';
import { idleWrites } from './idle.js';
import { latencySingle } from './latency.js';
import { memory10k } from './memory.js';
import { promotion1k, promotion1kChain, promotion1kGated } from './promotion.js';
import { restart1k } from './restart.js';
import { scaleOut20k } from './scale-out.js';

// The world's type differs per group; the runner only passes it through.
export const scenarios: Scenario<unknown>[] = [
  create1k,
  converge1k,
  latencySingle,
  promotion1k,
  promotion1kGated,
  restart1k,
  idleWrites,
  dashboard1k,
  baseline1k,
  converge1kArgocd,
  argocdE2eLatency,
  memory10k,
  dashboard10k,
  promotion1kChain,
  scaleOut20k,
];

/** Figures that combine two scenarios: converge_1k relative to baseline_1k, promotion_1k_gated to promotion_1k. */
export function deriveFigures(results: Record<string, ScenarioResult>): void {
  const promotedS = (r: ScenarioResult | undefined) => {
    const p = r?.promoted as { converged?: boolean; seconds?: unknown } | undefined;
    return p?.converged === true && typeof p.seconds === 'number' ? p.seconds : undefined;
  };
  const gated = promotedS(results.promotion_1k_gated);
  const plain = promotedS(results.promotion_1k);
  if (gated !== undefined && plain !== undefined && plain > 0)
    results.promotion_1k_gated!.ratio_to_promotion_1k = round(gated / plain, 2);
  const converge = results.converge_1k;
  const baseline = results.baseline_1k;
  const c = converge?.seconds;
  const b = baseline?.seconds;
  if (converge && typeof c === 'number' && typeof b === 'number' && b > 0 && baseline?.completed)
    converge.ratio_to_baseline = round(c / b, 2);
}
