// bin/depot.js runs `depot operator` with 16 MiB young-generation
// semi-spaces (V8 would size them from the machine's memory) and at most 2
// malloc arenas, in the same process, and leaves a size set by NODE_OPTIONS
// alone (src/cli/node-tuning.ts).
import { readFileSync } from 'node:fs';
import { freshNamespace, testKubeConfig } from '../controlplane/env.js';
import { eventually } from '../kit/eventually.js';
import { startOperator, type OperatorProcess } from '../kit/operator-process.js';

const kubeconfig = process.env.DEPOT_TEST_KUBECONFIG!;
const kc = testKubeConfig();

interface StartLine {
  pid: number;
  nodeFlags: string[];
}

async function startLine(operator: OperatorProcess): Promise<StartLine> {
  const line = await eventually('the operator logs its start', async () =>
    operator
      .output()
      .split('\n')
      .find((l) => l.includes('starting the operator')),
  );
  return JSON.parse(line) as StartLine;
}

// An operator's start takes seconds on a loaded 2-core machine (Jest's default is 5 s).
let operator: OperatorProcess | undefined;
afterEach(async () => {
  await operator?.stop();
  operator = undefined;
});

test('the operator runs with 16 MiB semi-spaces, in the process that was started', async () => {
  const ns = await freshNamespace(kc, 'nodeflags');
  operator = startOperator(kubeconfig, ns);
  const start = await startLine(operator);
  expect(start.nodeFlags).toContain('--max-semi-space-size=16');
  expect(start.pid).toBe(operator.child.pid);
  // glibc reads MALLOC_ARENA_MAX at start: it must be in the environment of the process that runs.
  const environ = readFileSync(`/proc/${start.pid}/environ`, 'utf8').split('\0');
  expect(environ).toContain('MALLOC_ARENA_MAX=2');
}, 30_000);

test('a semi-space size from NODE_OPTIONS is kept', async () => {
  const ns = await freshNamespace(kc, 'nodeflags');
  operator = startOperator(kubeconfig, ns, { env: { NODE_OPTIONS: '--max-semi-space-size=8' } });
  const start = await startLine(operator);
  expect(start.nodeFlags).not.toContain('--max-semi-space-size=16');
  expect(start.pid).toBe(operator.child.pid);
}, 30_000);
