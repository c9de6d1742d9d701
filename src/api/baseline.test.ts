// SPEC section 3: the CRDs the generator builds now only add to the released
// baseline (test/baseline/<version>/); see src/api/schema-compat.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from '../local/project-root.js';
import { buildCrd } from './crd.js';
import { KINDS } from './index.js';
import { compareCrds, type CrdShape } from './schema-compat.js';

const baselineDir = join(projectRoot(), 'test', 'baseline');
const current = new Map(KINDS.map((def) => [buildCrd(def).metadata.name, buildCrd(def) as CrdShape]));
const released = readdirSync(baselineDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(join(baselineDir, d.name)).map((f) => join(baselineDir, d.name, f)))
  .filter((f) => f.endsWith('.yaml'))
  .map((file) => ({ file, crd: parse(readFileSync(file, 'utf8')) as CrdShape }));

test('there is a released baseline for every kind', () => {
  expect(new Set(released.map((r) => r.crd.metadata.name))).toEqual(new Set(current.keys()));
});

test.each(released.map((r) => [r.crd.metadata.name, r.crd] as const))(
  '%s only adds to the released schema',
  (name, crd) => {
    const now = current.get(name);
    expect(now).toBeDefined(); // a released kind is never removed
    expect(compareCrds(crd, now!)).toEqual([]);
  },
);
