// The operator, the agent and the CLI import client-node's values only from
// kube/client-node.ts: one value import of the package's index loads the
// generated code of every Kubernetes kind (about 80 MiB resident). The demo
// and tour (src/local, loaded on demand) and tests may use the typed APIs.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = fileURLToPath(new URL('..', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'local' && dir === src ? [] : sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Value names imported from the package's index by `code` (type-only names left out). */
function indexValueImports(code: string): string[] {
  const names: string[] = [];
  for (const m of code.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s*from\s*'@kubernetes\/client-node'/g)) {
    if (m[1]) continue;
    for (const part of m[2]!.split(',').map((p) => p.trim()))
      if (part && !part.startsWith('type ')) names.push(part);
  }
  for (const m of code.matchAll(/import\s+(\*\s+as\s+\w+|\w+)\s*(,[^;]*)?from\s*'@kubernetes\/client-node'/g))
    names.push(m[1]!);
  if (/import\s*\(\s*'@kubernetes\/client-node'\s*\)/.test(code)) names.push('import()');
  return names;
}

test('indexValueImports tells value imports from type imports', () => {
  expect(indexValueImports("import type { KubeConfig } from '@kubernetes/client-node';")).toEqual([]);
  expect(indexValueImports("import { type V1Lease, Watch } from '@kubernetes/client-node';")).toEqual([
    'Watch',
  ]);
  expect(indexValueImports("import * as k8s from '@kubernetes/client-node';")).toEqual(['* as k8s']);
  expect(indexValueImports("import { Watch } from '@kubernetes/client-node/dist/watch.js';")).toEqual([]);
});

test('nothing but src/local imports values from the index of @kubernetes/client-node', () => {
  const offenders = sourceFiles(src)
    .map((file) => ({ file: relative(src, file), names: indexValueImports(readFileSync(file, 'utf8')) }))
    .filter((f) => f.names.length > 0);
  expect(offenders).toEqual([]);
});
