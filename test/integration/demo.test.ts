// `make demo` (`depot local demo --exit`) from start to end on a private
// control plane: it converges, says only what is true, and leaves nothing running.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readState } from '../../src/local/controlplane.js';
import { projectRoot } from '../../src/local/project-root.js';

const root = projectRoot();
let dir: string;
beforeAll(() => {
  mkdirSync(join(root, '.cache', 'test-runs'), { recursive: true });
  dir = mkdtempSync(join(root, '.cache', 'test-runs', 'demo-'));
});
afterAll(() => {
  spawnSync(process.execPath, [join(root, 'bin', 'depot.js'), 'local', 'down', '--dir', dir]);
  rmSync(dir, { recursive: true, force: true });
});

test('the demo converges and narrates each step with what really happens', () => {
  const res = spawnSync(
    process.execPath,
    [join(root, 'bin', 'depot.js'), 'local', 'demo', '--exit', '--dir', dir],
    {
      encoding: 'utf8',
      timeout: 300_000,
    },
  );
  expect(res.stderr).not.toMatch(/^error:/m);
  expect(res.status).toBe(0);
  const out = res.stdout;
  expect(out).toContain('$ depot set-version core dev 1.12.2');
  // What a target runs is reported with the CLI: no integration reads Argo CD or Flux yet.
  expect(out).toContain(
    '== A deploy job reports that dev-argocd runs it (Depot does not read Argo CD status yet)',
  );
  expect(out).toContain('$ depot set-deployed core dev-argocd 1.12.2');
  expect(out).not.toMatch(/integrations report/);
  expect(out).toContain('converged: core 1.12.2 went dev → staging through the Promotion.');
  expect(out).toContain('stopped the operator and the control plane.');
  expect(readState(dir)).toBeUndefined();
}, 320_000);
