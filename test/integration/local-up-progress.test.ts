// `depot local up` passes the control-plane build's progress lines to the
// user's stderr as the build script prints them (src/local/ensure-binaries.test.ts
// shows they stream while it runs). The binaries are already built here, so
// the script says it reuses them; a busy --port then ends `up` before it
// starts anything, which keeps this test cheap.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { projectRoot } from '../../src/local/project-root.js';

const root = projectRoot();
let dir: string;
let server: Server;
beforeAll(async () => {
  mkdirSync(join(root, '.cache', 'test-runs'), { recursive: true });
  dir = mkdtempSync(join(root, '.cache', 'test-runs', 'progress-'));
  server = createServer();
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
});
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

test("the build script's progress reaches the user's stderr before the outcome of `up`", () => {
  const port = (server.address() as { port: number }).port;
  const res = spawnSync(
    process.execPath,
    [join(root, 'bin', 'depot.js'), 'local', 'up', '--dir', dir, '--port', String(port)],
    { encoding: 'utf8', timeout: 120_000 },
  );
  const lines = res.stderr.trim().split('\n');
  expect(lines[0]).toMatch(
    /^>> control plane: using the build from earlier in \.cache\/controlplane\/[0-9a-f]{12}\/bin$/,
  );
  expect(lines.at(-1)).toBe(
    `error: port ${port} on 127.0.0.1 is in use: stop what listens there or pick another --port`,
  );
  expect(res.stdout).toBe('');
  expect(res.status).toBe(1);
});
