// `npm run gen:crds`: writes crds/depot.sh_<plural>.yaml (and the same files
// into the Helm chart's helm/depot/crds/), crds/Kustomization and
// docs/crd-reference.md from the schemas, and removes CRD files of kinds that
// no longer exist.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { projectRoot } from '../src/local/project-root.js';
import { buildCrd, crdFileName, crdKustomization, renderCrd } from '../src/api/crd.js';
import { GROUP } from '../src/api/group.js';
import { KINDS } from '../src/api/index.js';
import { renderReference } from '../src/api/reference.js';

const dir = join(projectRoot(), 'crds');
const chartDir = join(projectRoot(), 'helm', 'depot', 'crds');
const written = new Set<string>();
for (const target of [dir, chartDir]) {
  mkdirSync(target, { recursive: true });
  for (const def of KINDS) {
    const file = crdFileName(def);
    writeFileSync(join(target, file), renderCrd(buildCrd(def)));
    written.add(file);
  }
  for (const file of readdirSync(target)) {
    if (file.startsWith(`${GROUP}_`) && file.endsWith('.yaml') && !written.has(file))
      rmSync(join(target, file));
  }
}
// `kubectl apply -k crds` and config/crd; the extensionless name keeps it out
// of `kubectl apply -f crds/` and loadManifests (which read *.yaml only).
writeFileSync(join(dir, 'Kustomization'), crdKustomization(KINDS));
const reference = join(projectRoot(), 'docs', 'crd-reference.md');
mkdirSync(dirname(reference), { recursive: true });
writeFileSync(reference, renderReference(KINDS));
process.stdout.write(`wrote ${KINDS.length} CRDs to ${dir} and ${chartDir}, and ${reference}\n`);
