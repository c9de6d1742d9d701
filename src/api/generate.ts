// `npm run gen:crds`: writes crds/depot.sh_<plural>.yaml from the schemas and
// removes CRD files of kinds that no longer exist.
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../local/project-root.js';
import { buildCrd, crdFileName, renderCrd } from './crd.js';
import { GROUP } from './group.js';
import { KINDS } from './index.js';

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
process.stdout.write(`wrote ${written.size} CRDs to ${dir}\n`);
