import { budgetFloorS } from '../budget.js';
import { parseOptions } from '../options.js';
import { scenarios } from '../scenarios/index.js';
import type { Scenario } from '../scenario.js';

const group = (name: string, setupS: number) => ({
  name,
  setupS,
  setup: async () => undefined,
  teardown: async () => undefined,
});
const scenario = (key: string, g: ReturnType<typeof group>, minimumS: number) =>
  ({ key, group: g, minimumS: () => minimumS }) as unknown as Scenario<unknown>;

test("a run's least budget: every scenario's minimum and each group's setup once", () => {
  const a = group('a', 60);
  const b = group('b', 120);
  const opts = parseOptions([], []) as Exclude<ReturnType<typeof parseOptions>, 'help'>;
  expect(budgetFloorS([scenario('x', a, 30), scenario('y', a, 50), scenario('z', b, 10)], opts)).toBe(
    30 + 50 + 10 + 60 + 120,
  );
});

test('the default budget leaves every scenario of a full run its minimum', () => {
  const opts = parseOptions(
    [],
    scenarios.map((s) => s.key),
  ) as Exclude<ReturnType<typeof parseOptions>, 'help'>;
  expect(opts.budgetS).toBeGreaterThanOrEqual(budgetFloorS(scenarios, opts));
});
