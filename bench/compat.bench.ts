// Measures compatibility in-process: evaluating the rules of one environment
// of 500 applications with 3 rules each (compat_500, target ≤ 10 ms), and
// choosing the set to deliver when 50 requests are pending (set_choice_50),
// each on a namespace view as the Application controller builds it. Prints a
// Markdown table. Run: npx tsx bench/compat.bench.ts
import { performance } from 'node:perf_hooks';
import type { Application, CompatibilityRule } from '../src/api/application.js';
import { namespaceCompatibility } from '../src/core/compatibility/namespace.js';
import { RuleBook, type Member } from '../src/core/compatibility/rules.js';
import { chooseRequests } from '../src/core/compatibility/set-choice.js';
import { app, byName, env, set } from '../src/core/testing/builders.js';

const now = new Date('2026-11-20T12:00:00Z');
const environments = byName(env('prod'));
const sets = byName(set('default', ['prod']));
const name = (i: number) => `app-${String(i).padStart(4, '0')}`;

function measure(fn: () => void, minMs = 1000): { perOpMs: number; ops: number } {
  for (let i = 0; i < 5; i++) fn(); // warm-up
  let ops = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    fn();
    ops++;
  }
  return { perOpMs: (performance.now() - start) / ops, ops };
}

/** Application i requires the 3 before it (a chain of rules), each with a `when` range; all hold. */
function rules(i: number): CompatibilityRule[] {
  return [1, 2, 3]
    .filter((d) => i - d >= 0)
    .map((d) => ({ when: '>=1.0.0', requires: { application: name(i - d), versions: '>=1.0.0 <3.0.0' } }));
}

function namespace(count: number, pending: number): Application[] {
  return Array.from({ length: count }, (_, i) => {
    const a = app(name(i), {
      environmentSets: ['default'],
      versions: { prod: i < pending ? '2.0.0' : '1.0.0' },
      compatibility: rules(i),
    });
    return { ...a, status: { environments: [{ name: 'prod', desired: '1.0.0', blocked: null }] } };
  });
}

const rows: string[] = ['| case | time per operation | operations measured |', '| --- | ---: | ---: |'];

// compat_500: the whole evaluation of one environment (every application's state, the choice).
const converged = namespace(500, 0);
const compat = measure(() => namespaceCompatibility({ applications: converged, environments, sets, now }));
rows.push(
  `| compat_500: one environment, 500 applications × 3 rules, converged | ${compat.perOpMs.toFixed(2)} ms | ${compat.ops} |`,
);

const pending50 = namespace(500, 50);
const withPending = measure(() =>
  namespaceCompatibility({ applications: pending50, environments, sets, now }),
);
rows.push(
  `| compat_500 with 50 pending requests | ${withPending.perOpMs.toFixed(2)} ms | ${withPending.ops} |`,
);

// set_choice_50: the choice alone, 50 pending requests linked by the chain of rules.
const catalog = new Map<string, Member>(
  pending50.map((a) => [
    a.metadata.name,
    { name: a.metadata.name, scheme: 'semver', rules: a.spec.compatibility ?? [] },
  ]),
);
const book = new RuleBook(catalog);
const current = new Map(pending50.map((a) => [a.metadata.name, '1.0.0']));
const pending = new Map(pending50.slice(0, 50).map((a) => [a.metadata.name, '2.0.0']));
const choice = measure(() => chooseRequests({ book, place: 'prod', current, pending }));
rows.push(
  `| set_choice_50: choose among 50 pending requests (chained rules) | ${choice.perOpMs.toFixed(3)} ms | ${choice.ops} |`,
);

// The same with conflicts: every other request breaks the rule of the next one.
const conflicting = new Map<string, Member>(
  [...catalog.values()].map((m, i) => [
    m.name,
    {
      ...m,
      rules: i % 2 === 1 && i < 50 ? [{ requires: { application: name(i - 1), versions: '1.x' } }] : m.rules,
    },
  ]),
);
const conflictBook = new RuleBook(conflicting);
const conflict = measure(() => chooseRequests({ book: conflictBook, place: 'prod', current, pending }));
const result = chooseRequests({ book: conflictBook, place: 'prod', current, pending });
rows.push(
  `| set_choice_50 with 25 conflicting pairs (${result.chosen.length} chosen, exact: ${result.exact}) | ${conflict.perOpMs.toFixed(3)} ms | ${conflict.ops} |`,
);

console.log(`Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`);
console.log(rows.join('\n'));
