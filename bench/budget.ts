// The least budget a run needs: every selected scenario's minimum time plus
// each of their groups' setups. run.ts reserves these for the scenarios still
// to come, so with a smaller budget the first ones get no time at all and are
// skipped (a full run once measured only the rows at its end).
import type { BenchOptions } from './options.js';
import type { Scenario } from './scenario.js';

export function budgetFloorS(selected: readonly Scenario<unknown>[], opts: BenchOptions): number {
  const setups = new Map(selected.map((s) => [s.group.name, s.group.setupS]));
  return (
    selected.reduce((sum, s) => sum + s.minimumS(opts), 0) + [...setups.values()].reduce((a, b) => a + b, 0)
  );
}
