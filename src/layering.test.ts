// The layers of src/ are enforced by ESLint (eslint.config.js): a
// wrong-direction import fails `make lint`. This shows it on snippets.
import { ESLint } from 'eslint';
import { projectRoot } from './local/project-root.js';

const eslint = new ESLint({ cwd: projectRoot() });

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${projectRoot()}/${file}` });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

test.each([
  ['src/kube/x.ts', "import { Applications } from '../api/resources.js';"],
  ['src/api/x.ts', "import { planApplication } from '../core/application/plan.js';"],
  ['src/core/application/x.ts', "import { Manager } from '../../runtime/manager.js';"],
  ['src/runtime/x.ts', "import { Applications } from '../api/resources.js';"],
  ['src/controllers/x.ts', "import { DepotClient } from '../client/depot-client.js';"],
  ['src/local/x.ts', "import { reportError } from '../cli/errors.js';"],
  ['src/actions/x.ts', "import { DepotClient } from '../client/depot-client.js';"],
  ['src/actions/x.ts', "import { ApiServer } from '../server/api-server.js';"],
  ['src/core/x.ts', "import { setVersion } from '../actions/versions.js';"],
  ['src/controllers/x.ts', "import { setVersion } from '../actions/versions.js';"],
])('%s: %s is refused', async (file, code) => {
  expect(await problems(file, `${code}\nexport const x = 1;\n`)).toEqual([
    expect.stringMatching(/src\/\w+ must not import from /),
  ]);
});

test.each([
  ['src/api/x.ts', "import { setCondition } from '../kube/conditions.js';"],
  ['src/core/x.ts', "import { Applications } from '../api/resources.js';"],
  ['src/controllers/x.ts', "import { Manager } from '../runtime/manager.js';"],
  ['src/cli/x.ts', "import { controllers } from '../controllers/index.js';"],
  ['src/actions/x.ts', "import { planRollback } from '../core/overrides.js';"],
  ['src/client/x.ts', "import type { ActionPort } from '../actions/port.js';"],
  ['src/server/x.ts', "import { setVersion } from '../actions/versions.js';"],
])('%s: %s is allowed', async (file, code) => {
  expect(await problems(file, `${code}\nexport const x = 1;\n`)).toEqual([]);
});
