// Measures the pure core: how long computing one Application's status and one
// Promotion's plan takes, for namespaces of growing size. Prints a Markdown
// table (the pure-core table of bench/README.md comes from here). Run: npm run bench.
import { performance } from 'node:perf_hooks';
import type { Application } from '../src/api/application.js';
import { planApplication } from '../src/core/application/plan.js';
import { planPromotion } from '../src/core/promotion/index.js';
import { app, byName, env, promotion, set, target } from '../src/core/testing/builders.js';

const now = new Date('2026-11-20T12:00:00Z');
const environments = byName(
  env('dev'),
  env('staging'),
  env('prod', {
    enabled: true,
    windows: [{ schedule: '0 18 * * 5', duration: '62h', timeZone: 'Europe/Berlin' }],
  }),
);
const sets = byName(set('default', ['dev', 'staging', 'prod']));

function measure(fn: () => void, minMs = 500): { perOpUs: number; ops: number } {
  for (let i = 0; i < 50; i++) fn(); // warm-up
  let ops = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    fn();
    ops++;
  }
  return { perOpUs: ((performance.now() - start) * 1000) / ops, ops };
}

const rows: string[] = ['| case | time per operation | operations measured |', '| --- | ---: | ---: |'];
for (const targetsPerEnv of [1, 10, 50]) {
  const targets = ['dev', 'staging', 'prod'].flatMap((e) =>
    Array.from({ length: targetsPerEnv }, (_, i) => target(`${e}-${i}`, e)),
  );
  let a: Application = app('core', { versions: { dev: '1.2.0', staging: '1.1.0', prod: '1.0.0' } });
  a = {
    ...a,
    status: planApplication({ app: a, environments, sets, targets, now, historyLimit: 100 }).status,
  };
  const r = measure(() => planApplication({ app: a, environments, sets, targets, now, historyLimit: 100 }));
  rows.push(
    `| Application status, 3 environments × ${targetsPerEnv} targets | ${r.perOpUs.toFixed(1)} µs | ${r.ops} |`,
  );
}
for (const count of [10, 100, 1000]) {
  const apps = Array.from({ length: count }, (_, i) => {
    const a = app(`app-${i}`, { versions: { dev: '1.2.0', staging: '1.1.0' } });
    return {
      ...a,
      status: planApplication({ app: a, environments, sets, targets: [], now, historyLimit: 100 }).status,
    };
  });
  const p = promotion('dev-to-staging', { from: 'dev', to: 'staging', after: '10m' });
  const later = new Date(now.getTime() + 3_600_000);
  const r = measure(() => planPromotion({ promotion: p, applications: apps, now: later }));
  rows.push(`| Promotion plan over ${count} applications | ${(r.perOpUs / 1000).toFixed(2)} ms | ${r.ops} |`);
}
console.log(`Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`);
console.log(rows.join('\n'));
