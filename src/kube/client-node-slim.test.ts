// The slim modules stand in for client-node's generated barrels in two of its
// files: they must export every name those files import, and cache.js may
// use the serializer for strings only. Checked against the installed
// package, so an upgrade that needs more fails here, not in production.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as genIndex from './client-node-slim/gen-index.js';
import * as serializer from './client-node-slim/serializer.js';
import { SLIM_ALIASES, slimAlias } from './client-node-slim.js';

const dist = dirname(createRequire(import.meta.url).resolve('@kubernetes/client-node'));
const source = (file: string) => readFileSync(join(dist, file), 'utf8');
const slimModules: Record<string, object> = { 'gen-index.js': genIndex, 'serializer.js': serializer };

/** Names imported from `specifier` by import declarations in `code`. */
function importedNames(code: string, specifier: string): string[] {
  const names: string[] = [];
  const re = /import\s*\{([^}]*)\}\s*from\s*['"]([^'"]+)['"]/g;
  for (const m of code.matchAll(re)) {
    if (m[2] !== specifier) continue;
    for (const part of m[1]!.split(',')) {
      const name = part
        .trim()
        .split(/\s+as\s+/)[0]!
        .trim();
      if (name) names.push(name);
    }
  }
  return names;
}

test.each(
  Object.entries(SLIM_ALIASES).flatMap(([file, map]) =>
    Object.entries(map).map(([spec, slim]) => [file, spec, slim]),
  ),
)(
  "client-node's %s imports from %s only names %s exports, in named imports only",
  (file, specifier, slim) => {
    const code = source(file);
    const names = importedNames(code, specifier);
    expect(names.length).toBeGreaterThan(0);
    // Every import of the aliased module is a named one (no namespace or side-effect import the check would miss).
    const declarations = [...code.matchAll(/^import\s[^;]*?['"]([^'"]+)['"]/gm)].filter(
      (m) => m[1] === specifier,
    );
    for (const m of declarations) expect(m[0]).toMatch(/^import\s*\{/);
    const exported = Object.keys(slimModules[slim]!);
    for (const name of names) expect(exported).toContain(name);
  },
);

test('cache.js serializes nothing but its selector strings, which the slim serializer returns as they are', () => {
  const uses = [...source('cache.js').matchAll(/ObjectSerializer\.(\w+)\(([^)]*)\)/g)];
  expect(uses.length).toBeGreaterThan(0);
  for (const [, method, args] of uses) {
    expect(method).toBe('serialize');
    expect(args).toMatch(/,\s*'string'\s*$/);
  }
  expect(serializer.ObjectSerializer.serialize('app=a,tier!=b', 'string')).toBe('app=a,tier!=b');
  expect(() => serializer.ObjectSerializer.serialize({}, 'V1Lease')).toThrow(/V1Lease/);
});

test('only the named imports of config.js and cache.js are redirected', () => {
  const pkg = 'file:///app/node_modules/@kubernetes/client-node/dist/';
  expect(slimAlias('./gen/index.js', `${pkg}config.js`)).toMatch(/\/client-node-slim\/gen-index\.js$/);
  expect(slimAlias('./serializer.js', `${pkg}cache.js`)).toMatch(/\/client-node-slim\/serializer\.js$/);
  // The same specifier from any other importer loads what was published.
  expect(slimAlias('./gen/index.js', `${pkg}api.js`)).toBeUndefined();
  expect(slimAlias('./serializer.js', `${pkg}index.js`)).toBeUndefined();
  expect(slimAlias('./gen/index.js', 'file:///app/dist/kube/config.js')).toBeUndefined();
  expect(slimAlias('./gen/index.js', undefined)).toBeUndefined();
});
