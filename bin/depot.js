#!/usr/bin/env node
// Entry point of the `depot` CLI (also `kubectl depot`). The TypeScript sources
// are compiled to dist/ by `npm run build` (every make target does it).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  console.error('error: depot is not built yet: run `npm run build` (or any make target) first');
  process.exit(1);
}
await import(main);
