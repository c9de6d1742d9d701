// Promotion cycles in the given files, per namespace: `depot validate`
// reports them with the controller's message before they land.
import type { Promotion } from '../../api/index.js';
import { cycleMessage, findPromotionCycles } from '../promotion/cycles.js';
import type { Located } from './catalog.js';
import { byNamespace, problemAt } from './located.js';
import type { Problem } from './problem.js';

export function checkPromotionCycles(promotions: Located<Promotion>[]): Problem[] {
  const name = (p: Located<Promotion>) => p.name;
  const problems: Problem[] = [];
  for (const list of byNamespace(promotions).values())
    for (const cycle of findPromotionCycles(list, (p) => p.object.spec, name))
      for (const p of cycle.members)
        problems.push(problemAt(p, 'Promotion', 'spec.to', cycleMessage(cycle, name)));
  return problems;
}
