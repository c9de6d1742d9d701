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
  // Depot writes the version into the Argo CD Application (upstream CRD)...
  expect(out).toContain(
    '== Depot wrote it into the Argo CD Application argocd/core-dev: spec.source.targetRevision = 1.12.2',
  );
  // ...the table marks the drift until Argo CD reports it synced and healthy...
  expect(out).toMatch(/1\.12\.2 drift: dev-argocd=1\.12\.1/);
  // ...and the deployed version comes back from the Application's status, not from the CLI.
  expect(out).not.toContain('set-deployed');
  expect(out).toMatch(/Deployed .*argocd/);
  expect(out).toContain('converged: core 1.12.2 went dev → staging through the Promotion.');
  expect(out).toContain('stopped the operator and the control plane.');
  expect(readState(dir)).toBeUndefined();
}, 320_000);
