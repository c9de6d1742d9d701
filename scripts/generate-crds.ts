// `npm run gen:crds`: writes crds/depot.sh_<plural>.yaml and docs/crd-reference.md
// from the schemas and removes CRD files of kinds that no longer exist.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { projectRoot } from '../src/local/project-root.js';
import { buildCrd, crdFileName, renderCrd } from '../src/api/crd.js';
import { GROUP } from '../src/api/group.js';
import { KINDS } from '../src/api/index.js';
import { renderReference } from '../src/api/reference.js';

const dir = join(projectRoot(), 'crds');
const written = new Set<string>();
for (const def of KINDS) {
  const file = crdFileName(def);
  writeFileSync(join(dir, file), renderCrd(buildCrd(def)));
  written.add(file);
}
for (const file of readdirSync(dir)) {
  if (file.startsWith(`${GROUP}_`) && file.endsWith('.yaml') && !written.has(file)) rmSync(join(dir, file));
}
const reference = join(projectRoot(), 'docs', 'crd-reference.md');
mkdirSync(dirname(reference), { recursive: true });
writeFileSync(reference, renderReference(KINDS));
process.stdout.write(`wrote ${written.size} CRDs to ${dir} and ${reference}\n`);
