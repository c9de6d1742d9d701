// The control-plane build takes minutes on a cold cache: its progress lines
// must reach the caller while it runs, not once it has ended. A stand-in
// build script (a fixture, not the real build) shows it.
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlPlaneError, ensureBinaries } from './controlplane/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'depot-build-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function script(body: string): string {
  const path = join(dir, 'build.sh');
  writeFileSync(path, `#!/usr/bin/env bash\nset -euo pipefail\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

test('progress lines reach the log while the build still runs; the bin directory is the result', async () => {
  const go = join(dir, 'go-on');
  // The stand-in build waits (at most 60 s) until the test has seen its first line.
  const build = script(`
echo ">> phase 1/2: downloading Go modules" >&2
for _ in $(seq 600); do [ -e ${go} ] && break; sleep 0.1; done
if [ -e ${go} ]; then echo ">> phase 2/2: the caller saw phase 1 while it ran" >&2; else echo ">> phase 2/2: nobody saw phase 1 in time" >&2; fi
printf '>> partial line without newline' >&2
echo /fake/bin`);
  const lines: string[] = [];
  let sawFirst!: () => void;
  const first = new Promise<void>((resolve) => (sawFirst = resolve));
  const result = ensureBinaries(
    (line) => {
      lines.push(line);
      if (line.startsWith('>> phase 1/2')) sawFirst();
    },
    { script: build },
  );
  await first;
  writeFileSync(go, '');
  expect(await result).toBe('/fake/bin');
  expect(lines).toEqual([
    '>> phase 1/2: downloading Go modules',
    '>> phase 2/2: the caller saw phase 1 while it ran',
    '>> partial line without newline',
  ]);
}, 90_000);

test('a failed build is one error (its last `error:` line); the progress before it was logged once', async () => {
  const build = script(`
echo ">> phase 1/2: downloading Go modules" >&2
echo "   go: module lookup disabled" >&2
echo "error: the Go toolchain (>= 1.26) is needed to build the local control plane" >&2
exit 1`);
  const lines: string[] = [];
  const err = await ensureBinaries((line) => lines.push(line), { script: build }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ControlPlaneError);
  expect((err as Error).message).toBe(
    'the Go toolchain (>= 1.26) is needed to build the local control plane',
  );
  expect(lines).toEqual(['>> phase 1/2: downloading Go modules', '   go: module lookup disabled']);
});

test('a missing build script (an npm-installed CLI has none) is one error saying what is needed', async () => {
  const missing = join(dir, 'missing.sh');
  expect(existsSync(missing)).toBe(false);
  await expect(ensureBinaries(() => {}, { script: missing })).rejects.toThrow(
    new ControlPlaneError(
      `the local control plane is built from a checkout of the Depot repository, and ${missing} is not here (the npm package holds the CLI only): clone the repository and run make demo there`,
    ),
  );
});
