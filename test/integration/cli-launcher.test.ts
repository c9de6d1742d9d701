// `depot` on a machine whose Node.js is too old: bin/depot.js says so in one
// line (no stack trace from deep inside a dependency), and the bin/depot
// launcher runs the CLI with the pinned Node.js instead.
import { spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { projectRoot } from '../../src/local/project-root.js';

const root = projectRoot();
const pinnedVersion = /^NODE_VERSION="\$\{NODE_VERSION:-([0-9.]+)\}"$/m.exec(
  readFileSync(join(root, 'scripts', 'ensure-node.sh'), 'utf8'),
)![1];

const tooOld = (version: string) => {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return major < 22 || (major === 22 && minor < 19);
};

/** A Node.js older than 22.19 installed on this machine (on PATH or in the usual places), if any. */
function findOldNode(): { path: string; version: string } | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin', '/bin'];
  for (const dir of dirs.filter(Boolean)) {
    const path = join(dir, 'node');
    try {
      accessSync(path, constants.X_OK);
    } catch {
      continue;
    }
    const res = spawnSync(path, ['--version'], { encoding: 'utf8' });
    const version = res.stdout?.trim();
    if (res.status === 0 && version && tooOld(version)) return { path, version };
  }
  return undefined;
}

const oldNode = findOldNode();
if (!oldNode) {
  console.warn('SKIPPED: no Node.js older than 22.19 on this machine; the old-Node tests cannot run here');
}
const withOldNode = oldNode ? test : test.skip;

test('bin/depot.js parses as a classic script too (no import declarations, import.meta or top-level await)', () => {
  // Node.js before 12.17 loads bin/depot.js as CommonJS: it must parse before it can say what is wrong.
  const source = readFileSync(join(root, 'bin', 'depot.js'), 'utf8');
  expect(() => new Script(source, { filename: 'bin/depot.js' })).not.toThrow();
});

withOldNode(
  `an old Node.js (${oldNode?.version ?? 'none found'}) gets one line naming the Node.js needed and the launcher`,
  () => {
    const res = spawnSync(oldNode!.path, [join(root, 'bin', 'depot.js'), 'get', 'applications'], {
      encoding: 'utf8',
      cwd: tmpdir(),
    });
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe(
      `error: depot needs Node.js >= 22.19, this is ${oldNode!.version} (${oldNode!.path}); ` +
        `install a newer one, or in a Depot checkout run bin/depot, which uses the pinned Node.js ${pinnedVersion} in .cache/node-${pinnedVersion}/bin ` +
        '(scripts/ensure-node.sh or any make target fetches it once)\n',
    );
    expect(res.status).toBe(1);
  },
);

test('a checkout that is not built yet gets one line saying how to build it', () => {
  const copy = mkdtempSync(join(tmpdir(), 'depot-unbuilt-'));
  try {
    mkdirSync(join(copy, 'bin'));
    copyFileSync(join(root, 'bin', 'depot.js'), join(copy, 'bin', 'depot.js'));
    copyFileSync(join(root, 'package.json'), join(copy, 'package.json'));
    const res = spawnSync(process.execPath, [join(copy, 'bin', 'depot.js'), 'get', 'applications'], {
      encoding: 'utf8',
    });
    expect(res.stderr).toBe('error: depot is not built yet: run `make build` (or `npm run build`) first\n');
    expect(res.status).toBe(1);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
});

describe('the bin/depot launcher', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'depot-launcher-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // PATH as on a machine whose only Node.js is the old one (or none at all).
  const oldPath = () =>
    [...(oldNode ? [dirname(oldNode.path)] : []), '/usr/bin', '/bin'].filter(Boolean).join(delimiter);

  test('runs the CLI with a Node.js >= 22.19 whatever node is on PATH', () => {
    const res = spawnSync(join(root, 'bin', 'depot'), ['validate', join(root, 'config', 'samples')], {
      encoding: 'utf8',
      cwd: dir,
      env: { ...process.env, PATH: oldPath() },
    });
    expect(res.stderr).toMatch(/^\d+ Depot objects in \d+ files: valid$/m);
    expect(res.status).toBe(0);
  });

  test('works through a symlink from another directory (e.g. ~/bin/depot)', () => {
    const link = join(dir, 'depot');
    symlinkSync(join(root, 'bin', 'depot'), link);
    const res = spawnSync(link, ['get', '--help'], {
      encoding: 'utf8',
      cwd: dir,
      env: { ...process.env, PATH: oldPath() },
    });
    expect(res.stderr).toBe('');
    expect(res.stdout).toContain('Usage: depot get');
    expect(res.status).toBe(0);
  });

  test('passes the exit code and the one-line errors of the CLI through', () => {
    const kubeconfig = join(dir, 'missing-kubeconfig');
    const res = spawnSync(join(root, 'bin', 'depot'), ['get', 'applications', '--kubeconfig', kubeconfig], {
      encoding: 'utf8',
      cwd: dir,
      env: { ...process.env, PATH: oldPath() },
    });
    expect(res.stderr).toMatch(new RegExp(`^error: cannot load kubeconfig ${kubeconfig}: [^\\n]*\\n$`));
    expect(res.status).toBe(1);
  });
});
