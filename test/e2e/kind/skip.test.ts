// make e2e-kind where no container engine answers: one line saying why, exit
// 0, nothing built. (The end-to-end run itself needs docker or podman.)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { projectRoot } from '../../../src/local/project-root.js';

const script = join(projectRoot(), 'test', 'e2e', 'kind', 'run.sh');
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'depot-e2e-skip-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runScript(path: string, env: Record<string, string> = {}) {
  // bash by its path: with this PATH, `env bash` in the shebang would not find it.
  return spawnSync('/bin/bash', [script], { encoding: 'utf8', env: { PATH: path, ...env }, timeout: 60_000 });
}

test('without docker and podman on PATH', () => {
  const res = runScript(dir);
  expect(res.stderr).toBe('');
  expect(res.stdout).toBe('e2e-kind: skipped: no container engine (no docker command; no podman command)\n');
  expect(res.status).toBe(0);
});

const docker = (process.env.PATH ?? '')
  .split(delimiter)
  .map((d) => join(d, 'docker'))
  .find((p) => spawnSync(p, ['--version']).status === 0);
if (!docker) console.warn('SKIPPED: no docker client here for the dead-daemon case');

(docker ? test : test.skip)('with a docker client whose daemon does not answer', () => {
  const only = join(dir, 'docker-only');
  mkdirSync(only);
  symlinkSync(docker!, join(only, 'docker'));
  const socket = join(dir, 'dead.sock');
  const res = runScript(only, { DOCKER_HOST: `unix://${socket}`, HOME: dir });
  expect(res.stderr).toBe('');
  expect(res.stdout).toBe(
    `e2e-kind: skipped: no container engine (docker info failed: Cannot connect to the Docker daemon at unix://${socket}. Is the docker daemon running?; no podman command)\n`,
  );
  expect(res.status).toBe(0);
});
