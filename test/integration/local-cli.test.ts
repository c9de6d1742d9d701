// `depot local up|status|down` as a user runs it: a second, private control
// plane in a temp directory, driven through the built CLI.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig, VersionApi } from '@kubernetes/client-node';
import { isAlive, readState } from '../../src/local/controlplane/index.js';
import { projectRoot } from '../../src/local/project-root.js';

const root = projectRoot();
const depot = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, 'bin', 'depot.js'), ...args], {
    encoding: 'utf8',
    timeout: 180_000,
  });

let dir: string;
beforeAll(() => {
  mkdirSync(join(root, '.cache', 'test-runs'), { recursive: true });
  dir = mkdtempSync(join(root, '.cache', 'test-runs', 'cli-'));
});
afterAll(() => {
  depot('local', 'down', '--dir', dir);
  rmSync(dir, { recursive: true, force: true });
});

test('up prints a kubeconfig for a ready v1.36 server; status and down work; nothing is left behind', async () => {
  const upRes = depot('local', 'up', '--dir', dir);
  expect(upRes.stderr).not.toMatch(/at .*\.js:\d+/); // no stack traces
  expect(upRes.status).toBe(0);
  const kubeconfig = upRes.stdout.trim();
  expect(kubeconfig).toBe(join(dir, 'kubeconfig'));

  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const version = await kc.makeApiClient(VersionApi).getCode();
  expect(version.gitVersion).toMatch(/^v1\.36\.\d+$/);

  const st = depot('local', 'status', '--dir', dir);
  expect(st.status).toBe(0);
  expect(st.stdout).toMatch(/^ready /);

  // A second `up` finds the running one instead of starting another.
  const again = depot('local', 'up', '--dir', dir);
  expect(again.status).toBe(0);
  expect(again.stderr).toContain('already running');

  const pids = Object.values(readState(dir)!.pids);
  const downRes = depot('local', 'down', '--dir', dir);
  expect(downRes.status).toBe(0);
  expect(downRes.stdout).toMatch(/stopped \d+ processes/);
  for (const pid of pids) expect(isAlive(pid)).toBe(false);

  const after = depot('local', 'status', '--dir', dir);
  expect(after.status).toBe(1);
  expect(after.stdout.trim()).toBe('not running');
}, 240_000);

test('a port in use is a one-line error that says what to do', async () => {
  const server: Server = createServer();
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  const port = (server.address() as { port: number }).port;
  try {
    const res = depot('local', 'up', '--dir', join(dir, 'busy'), '--port', String(port));
    expect(res.status).toBe(1);
    expect(res.stderr.trim().split('\n').pop()).toBe(
      `error: port ${port} on 127.0.0.1 is in use: stop what listens there or pick another --port`,
    );
  } finally {
    server.close();
  }
}, 120_000);

test('a bad --port value is rejected before anything starts', () => {
  const res = depot('local', 'up', '--dir', join(dir, 'badport'), '--port', 'http');
  expect(res.status).not.toBe(0);
  expect(res.stderr).toContain('--port must be a number from 1 to 65535');
});

test('a lock held by a live process is reported; a stale lock is taken over', async () => {
  const locked = join(dir, 'locked');
  mkdirSync(locked, { recursive: true });
  const holder = spawn('sleep', ['30']);
  try {
    writeFileSync(join(locked, 'lock'), String(holder.pid));
    const res = depot('local', 'down', '--dir', locked);
    // no state: nothing to stop, and the live lock is not needed
    expect(res.status).toBe(0);
    writeFileSync(join(locked, 'state.json'), JSON.stringify({ pids: { etcd: 0, apiserver: 0 } }));
    const busy = depot('local', 'down', '--dir', locked);
    expect(busy.status).toBe(1);
    expect(busy.stderr).toContain(`another depot process (pid ${holder.pid})`);
  } finally {
    const gone = new Promise((res) => holder.once('exit', res));
    holder.kill('SIGKILL');
    await gone;
  }
  // The holder is gone: its lock is stale and is taken over.
  const res = depot('local', 'down', '--dir', locked);
  expect(res.status).toBe(0);
});

test('the watchdog stops a control plane whose owner died (an interrupted test run)', async () => {
  const wd = join(dir, 'watchdog');
  mkdirSync(wd, { recursive: true });
  const owner = spawn('sleep', ['30']);
  const victim = spawn('sleep', ['60'], { detached: true });
  writeFileSync(join(wd, 'state.json'), JSON.stringify({ pids: { etcd: victim.pid, apiserver: 0 } }));
  const watchdog = spawn(
    process.execPath,
    [join(root, 'test', 'controlplane', 'watchdog.js'), String(owner.pid), wd],
    {
      stdio: 'ignore',
    },
  );
  try {
    expect(isAlive(victim.pid)).toBe(true);
    owner.kill('SIGKILL');
    // The victim is this process's child: wait for its exit event (a killed
    // child stays a zombie, still signalable, until the event loop reaps it).
    const ended = await Promise.race([
      new Promise<string>((res) => victim.once('exit', (_code, signal) => res(String(signal)))),
      sleep(15_000).then(() => 'still running'),
    ]);
    expect(ended).toBe('SIGTERM');
  } finally {
    victim.kill('SIGKILL');
    watchdog.kill('SIGKILL');
  }
}, 30_000);
