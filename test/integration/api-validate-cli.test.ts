// `depot validate` as a CI job runs it: the built CLI (bin/depot.js) on the
// samples (valid, exit 0) and on broken files (exit 1, every problem named on
// its own line, never a stack trace).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/local/project-root.js';

const root = projectRoot();
const depot = (cwd: string, ...args: string[]) =>
  spawnSync(process.execPath, [join(root, 'bin', 'depot.js'), 'validate', ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
  });

let dir: string;
beforeAll(() => {
  mkdirSync(join(root, '.cache', 'test-runs'), { recursive: true });
  dir = mkdtempSync(join(root, '.cache', 'test-runs', 'validate-'));
  cpSync(join(root, 'test', 'fixtures', 'invalid'), dir, { recursive: true });
  // What a checked-in fixture cannot hold: broken YAML, Latin-1 bytes, a document over 1 MiB.
  writeFileSync(
    join(dir, 'broken-syntax.yaml'),
    'apiVersion: depot.sh/v1alpha1\nkind: Environment\nmetadata: {name: ok}\n---\nkind: Environment\nmetadata: {name: [broken\n',
  );
  writeFileSync(
    join(dir, 'latin1.yaml'),
    Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from('\nkind: Environment\n')]),
  );
  const huge = `apiVersion: depot.sh/v1alpha1\nkind: Environment\nmetadata: {name: huge}\nspec:\n  description: "${'x'.repeat(1024 * 1024)}"\n`;
  writeFileSync(join(dir, 'huge.yaml'), huge);
  mkdirSync(join(dir, '.git'));
  writeFileSync(join(dir, '.git', 'ignored.yaml'), 'this: [is not even YAML');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('the samples are valid: exit 0, nothing on stdout', () => {
  const res = depot(root, 'config/samples');
  expect(res.stderr).toBe('15 Depot objects in 4 files: valid\n');
  expect(res.stdout).toBe('');
  expect(res.status).toBe(0);
});

// Every problem in the broken files, as `file:doc kind/name field: message` (message abridged).
const EXPECTED = [
  'applications.yaml:0 Application/core spec.versions.dev: versions must be semantic versions',
  'applications.yaml:1 Application/core metadata.name: duplicate Application "core" (first defined at applications.yaml:0)',
  'applications.yaml:2 Application/dash spec.compatibility[0].when: must be a semver range',
  'applications.yaml:3 Application/ide spec.compatibility[0].requires.application: Application "jupyter" is not defined in the given files',
  'applications.yaml:3 Application/ide spec.versions.uat: environment "uat" is not one of the application\'s environments (dev, staging, qa, prod)',
  'broken-syntax.yaml:1: YAML syntax error at line 7, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]',
  'environments.yaml:2 Environment/prod spec.freeze.windows[0].duration: must be a Go duration',
  'environments.yaml:3 EnvironmentSet/default spec.environments[2]: Environment "qa" is not defined in the given files',
  'huge.yaml:0: document is 1048671 bytes, over the 1 MiB limit; not checked',
  'latin1.yaml: not UTF-8 text (invalid byte at offset 5); save the file as UTF-8',
  'promotions.yaml:0 Promotion/dev-to-staging spec.to: promotion cycle dev → staging → dev (Promotions dev-to-staging, staging-to-dev)',
  'promotions.yaml:1 Promotion/staging-to-dev spec.to: promotion cycle dev → staging → dev (Promotions dev-to-staging, staging-to-dev)',
  'promotions.yaml:2 Promotion/staging-to-prod spec.schedule: "0 9 31 2 *" is not a valid cron schedule',
  'promotions.yaml:3 Promotion/prod-to-prod spec.to: to must differ from from',
  'targets.yaml:0 Target/dev-cluster spec.delivery: exactly one of argocd, flux, agent, none must be set',
  'targets.yaml:1 Target/preprod-cluster spec.environment: Environment "preprod" is not defined in the given files',
  'targets.yaml:2 Target/prod-argocd spec.delivery.argocd.applicationName: may only use the template variables',
  'wrong-api.yaml:0 Application/billing apiVersion: depot.sh/v1 is not served by Depot; use depot.sh/v1alpha1',
  'wrong-api.yaml:1 Release/r1 kind: unknown kind "Release" in depot.sh/v1alpha1',
  'wrong-api.yaml:2: document is not a Kubernetes object',
];

test('broken files: exit 1 and exactly one line per problem, in file order', () => {
  const res = depot(dir, '.');
  const lines = res.stdout.trim().split('\n');
  // Each line must start with its expected text (shown in full when it does not).
  expect(lines.map((line, i) => (EXPECTED[i] && line.startsWith(EXPECTED[i]) ? EXPECTED[i] : line))).toEqual(
    EXPECTED,
  );
  expect(res.stdout).not.toMatch(/column \d+:?\n/); // the YAML position is given once
  // 17 objects in the checked-in fixtures + the readable Environment of broken-syntax.yaml.
  expect(res.stderr).toBe(`18 Depot objects in 8 files: ${EXPECTED.length} problems\n`);
  expect(res.status).toBe(1);
});

test('-o json reports the same problems with their parts', () => {
  const res = depot(dir, '.', '-o', 'json');
  expect(res.status).toBe(1);
  const report = JSON.parse(res.stdout) as { valid: boolean; problems: Record<string, unknown>[] };
  expect(report.valid).toBe(false);
  expect(report.problems).toHaveLength(EXPECTED.length);
  expect(report.problems[0]).toEqual({
    file: 'applications.yaml',
    document: 0,
    line: 2,
    kind: 'Application',
    name: 'core',
    path: 'spec.versions.dev',
    message: expect.stringContaining('semantic version'),
  });
});

test('a missing path, an empty directory and a usage error are clear one-liners', () => {
  mkdirSync(join(dir, 'empty'), { recursive: true });
  const res = depot(dir, 'nope.yaml', 'empty');
  expect(res.stdout).toBe(
    'nope.yaml: no such file or directory\nempty: no *.yaml, *.yml or *.json files in this directory\n',
  );
  expect(res.status).toBe(1);
  const usage = depot(dir, '-o', 'xml', 'x.yaml');
  expect(usage.stderr).toMatch(/option '-o, --output <format>' argument 'xml' is invalid/);
  expect(usage.status).toBe(2);
  for (const r of [res, usage]) expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
});
