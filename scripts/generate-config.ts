// `npm run gen:config`: writes config/{rbac,manager,crd,default} from the Helm
// chart rendered with its default values (release depot in depot-system), so
// the two cannot drift (test/integration/config-manifests.test.ts compares
// them). Needs the helm binary (make helm; built on first use).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { projectRoot } from '../src/local/project-root.js';
import { configFiles, CONFIG_NAMESPACE, CONFIG_RELEASE } from '../test/kit/chart-config.js';
import { parseRendered, template } from '../test/kit/helm.js';

const r = template({}, { namespace: CONFIG_NAMESPACE, releaseName: CONFIG_RELEASE });
if (r.status !== 0) {
  process.stderr.write(`error: helm template failed: ${r.stderr.trim()}\n`);
  process.exit(1);
}
const files = configFiles(parseRendered(r.stdout));
for (const [file, text] of files) {
  const path = join(projectRoot(), 'config', file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
process.stdout.write(`wrote ${files.size} files to ${join(projectRoot(), 'config')}\n`);
