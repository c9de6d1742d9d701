// What `npm pack` ships, installed the two ways it is used: as the image
// installs it (the package unpacked, then the Dockerfile's own production
// install command with the lock file) and as a user installs the CLI
// (`npm install -g` of the tarball). Both run with the pinned Node.js and
// fetch the dependencies from the npm registry (its cache makes reruns fast).
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { projectRoot } from '../../src/local/project-root.js';
import { productionInstall } from './dockerfile-rules.js';

const root = projectRoot();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
};

let work = '';
let nodeDir = '';
let tarball = '';
let packed: string[] = [];

function run(cmd: string, args: string[], opts: SpawnSyncOptions & { path?: string } = {}) {
  const res = spawnSync(cmd, args, {
    encoding: 'utf8',
    timeout: 240_000,
    ...opts,
    env: {
      ...process.env,
      PATH: opts.path ?? [nodeDir, process.env.PATH].join(delimiter),
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
      npm_config_loglevel: 'error',
      ...opts.env,
    },
  });
  const out = { status: res.status, stdout: String(res.stdout), stderr: String(res.stderr) };
  if (res.error) throw new Error(`${cmd} ${args.join(' ')}: ${res.error.message}`);
  return out;
}

function ok(cmd: string, args: string[], opts: SpawnSyncOptions & { path?: string } = {}): string {
  const res = run(cmd, args, opts);
  if (res.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} exited ${res.status}: ${res.stderr.trim()}`);
  return res.stdout;
}

beforeAll(() => {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js')))
    throw new Error('dist/ is not built: run `make build` (make test does) before these tests');
  nodeDir = ok(join(root, 'scripts', 'ensure-node.sh'), [], { path: process.env.PATH }).trim();
  work = mkdtempSync(join(tmpdir(), 'depot-package-'));
  // --ignore-scripts: prepack would recompile dist/ while other tests run the operator from it.
  const [info] = JSON.parse(
    ok('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: root }),
  ) as { filename: string; files: { path: string }[] }[];
  tarball = join(work, info!.filename);
  packed = info!.files.map((f) => f.path);
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the package holds dist/ (dist/ui too), bin/depot.js, crds/, README.md and package.json only', () => {
  expect(packed).toEqual(
    expect.arrayContaining([
      'package.json',
      'README.md',
      'bin/depot.js',
      'dist/cli/main.js',
      'dist/api/version.js',
      // The dashboard's page, served by the operator and depot dashboard.
      'dist/ui/index.html',
      'crds/depot.sh_applications.yaml',
    ]),
  );
  const outside = packed.filter(
    (p) => !/^(dist|crds)\//.test(p) && !['package.json', 'README.md', 'bin/depot.js'].includes(p),
  );
  expect(outside).toEqual([]);
  const leaked = packed.filter(
    (p) => /(^|\/)(src|test|\.cache|node_modules)\//.test(p) || /\.test\.js$/.test(p),
  );
  expect(leaked).toEqual([]);
});

test("the image's production install: the Dockerfile's command in the unpacked package, then depot --version", () => {
  const app = join(work, 'app');
  mkdirSync(app);
  ok('tar', ['-xzf', tarball, '-C', app, '--strip-components=1']);
  copyFileSync(join(root, 'package-lock.json'), join(app, 'package-lock.json'));
  const install = productionInstall(readFileSync(join(root, 'Dockerfile'), 'utf8'));
  expect(install?.run.args).toMatch(/^npm ci --omit=dev\b/);
  ok('sh', ['-c', install!.run.args], { cwd: app });

  const missing = Object.keys(pkg.dependencies).filter(
    (dep) => !existsSync(join(app, 'node_modules', dep, 'package.json')),
  );
  expect(missing).toEqual([]);
  // Nothing the lock file marks as needed by development only (@types/node is
  // a devDependency and a dependency of client-node: it stays).
  const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  const devOnly = Object.entries(lock.packages).filter(([path, p]) => path && p.dev);
  expect(devOnly.map(([path]) => path)).toEqual(expect.arrayContaining(['node_modules/typescript']));
  expect(devOnly.filter(([path]) => existsSync(join(app, path))).map(([path]) => path)).toEqual([]);

  // As the image runs it: node /app/bin/depot.js, from another directory.
  const node = join(nodeDir, 'node');
  expect(ok(node, [join(app, 'bin', 'depot.js'), '--version'], { cwd: work }).trim()).toBe(pkg.version);
  expect(ok(node, [join(app, 'bin', 'depot.js'), 'operator', '--help'], { cwd: work })).toMatch(
    /--leader-elect/,
  );
  expect(ok(node, [join(app, 'bin', 'depot.js'), 'agent', '--help'], { cwd: work })).toMatch(/--server/);
}, 300_000);

test('npm install -g of the tarball: depot and kubectl-depot run with the pinned Node.js', () => {
  const prefix = join(work, 'global');
  ok('npm', ['install', '-g', '--prefix', prefix, tarball], { cwd: work });
  // Only the installed commands and the pinned Node.js on PATH (not the checkout's bin/).
  const path = [join(prefix, 'bin'), nodeDir, '/usr/bin', '/bin'].join(delimiter);
  expect(ok('depot', ['--version'], { cwd: work, path }).trim()).toBe(pkg.version);
  expect(ok('kubectl-depot', ['--version'], { cwd: work, path }).trim()).toBe(pkg.version);
  const help = ok('depot', ['--help'], { cwd: work, path });
  expect(help).toMatch(/^Usage: depot /);
  expect(help).toMatch(/set-version/);
  // A usage error is still one line and exit code 2 from the installed copy.
  const bad = run('depot', ['no-such-command'], { cwd: work, path });
  expect(bad.status).toBe(2);
  expect(bad.stderr.trim().split('\n')[0]).toMatch(/unknown command 'no-such-command'/);
  // The local control plane is built from a checkout: the installed CLI says so in one line.
  const local = run('depot', ['local', 'up', '--dir', join(work, 'local')], { cwd: work, path });
  expect(local.status).toBe(1);
  expect(local.stderr.trim()).toMatch(
    /^error: the local control plane is built from a checkout of the Depot repository, and \S+build-controlplane\.sh is not here \(the npm package holds the CLI only\): clone the repository and run make demo there$/,
  );
}, 300_000);

/** The oldest Node.js package.json's engines allow, from the npm registry (like scripts/ensure-node.sh), cached in .cache. */
function oldestNode(version: string): string {
  const dir = join(root, '.cache', `node-${version}`, 'bin');
  if (existsSync(join(dir, 'node'))) return dir;
  const tmp = mkdtempSync(join(work, 'node-'));
  ok('npm', ['pack', '--silent', `node-${platform()}-${arch()}@${version}`], { cwd: tmp });
  ok('tar', ['-xzf', `node-${platform()}-${arch()}-${version}.tgz`, 'package/bin/node'], { cwd: tmp });
  mkdirSync(join(root, '.cache', `node-${version}`), { recursive: true });
  // A rename, so that a parallel run never sees half a directory.
  try {
    renameSync(join(tmp, 'package', 'bin'), dir);
  } catch (err) {
    if (!existsSync(join(dir, 'node'))) throw err;
  }
  return dir;
}

const engines = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } }
).engines.node;
const oldest = /^>=(\d+\.\d+)$/.exec(engines)?.[1];
const supported = ['linux-x64', 'linux-arm64'].includes(`${platform()}-${arch()}`);
if (!supported) console.warn(`SKIPPED: no Node.js build on the npm registry for ${platform()}-${arch()}`);

(supported ? test : test.skip)(
  `the installed depot runs on the oldest Node.js allowed (engines ${engines})`,
  () => {
    expect(oldest).toBeDefined();
    const prefix = join(work, 'global');
    if (!existsSync(join(prefix, 'bin', 'depot')))
      ok('npm', ['install', '-g', '--prefix', prefix, tarball], { cwd: work });
    const nodeBin = oldestNode(`${oldest}.0`);
    const path = [join(prefix, 'bin'), nodeBin, '/usr/bin', '/bin'].join(delimiter);
    expect(ok('node', ['--version'], { path }).trim()).toBe(`v${oldest}.0`);
    expect(ok('depot', ['--version'], { cwd: work, path }).trim()).toBe(pkg.version);
    expect(ok('kubectl-depot', ['get', '--help'], { cwd: work, path })).toMatch(/^Usage: depot get /);
  },
  300_000,
);
