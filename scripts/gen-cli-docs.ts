// `npm run gen:cli-docs`: rewrites the generated part of docs/cli.md from the
// --help of every command of the real program (src/cli/main.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../src/local/project-root.js';
import { buildProgram } from '../src/cli/main.js';
import { CLI_END, CLI_START, cliReference, replaceCliReference } from '../src/cli/reference.js';

const root = projectRoot();
const file = join(root, 'docs', 'cli.md');
const next = replaceCliReference(readFileSync(file, 'utf8'), cliReference(buildProgram(), root));
if (next === undefined) {
  process.stderr.write(`error: ${file} has no markers ${CLI_START} … ${CLI_END}\n`);
  process.exit(1);
}
writeFileSync(file, next);
process.stderr.write(`wrote ${file}\n`);
