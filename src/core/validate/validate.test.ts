// The checker on in-memory files: schema problems, other APIs ignored, wrong
// apiVersions and kinds, duplicates, references, cycles and rule syntax.
import { formatProblem } from './problem.js';
import { validateSources, type SourceFile } from './validate.js';

const file = (path: string, ...docs: string[]): SourceFile => ({
  path,
  bytes: new TextEncoder().encode(docs.join('\n---\n')),
});
const lines = (...files: SourceFile[]) => validateSources(files).problems.map(formatProblem);

const env = (name: string) =>
  `apiVersion: depot.sh/v1alpha1\nkind: Environment\nmetadata: {name: ${name}}\nspec: {}`;
const set = (name: string, envs: string[]) =>
  `apiVersion: depot.sh/v1alpha1\nkind: EnvironmentSet\nmetadata: {name: ${name}}\nspec: {environments: [${envs.join(', ')}]}`;
const promo = (name: string, from: string, to: string, extra = '') =>
  `apiVersion: depot.sh/v1alpha1\nkind: Promotion\nmetadata: {name: ${name}}\nspec: {from: ${from}, to: ${to}${extra}}`;
const target = (name: string, environment: string, delivery = '{none: {}}') =>
  `apiVersion: depot.sh/v1alpha1\nkind: Target\nmetadata: {name: ${name}}\nspec: {environment: ${environment}, delivery: ${delivery}}`;
const app = (name: string, spec: string) =>
  `apiVersion: depot.sh/v1alpha1\nkind: Application\nmetadata: {name: ${name}}\nspec: ${spec}`;
const base = file(
  'base.yaml',
  env('dev'),
  env('staging'),
  env('prod'),
  set('default', ['dev', 'staging', 'prod']),
);

test('a consistent set of objects has no problems; other kinds are ignored', () => {
  const report = validateSources([
    base,
    file(
      'apps.yaml',
      app('core', '{environmentSets: [default], versions: {dev: 1.2.0}}'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}',
    ),
    file(
      'argo.yaml',
      'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: core}\nspec: {anything: goes}',
    ),
  ]);
  expect(report).toEqual({ valid: true, files: 3, documents: 7, objects: 5, problems: [] });
});

test('wrong apiVersion, unknown kind, non-objects and missing kind are reported', () => {
  expect(
    lines(
      file(
        'x.yaml',
        'apiVersion: depot.sh/v1\nkind: Application\nmetadata: {name: a}',
        'apiVersion: depot.sh/v1alpha1\nkind: Release\nmetadata: {name: r}',
        '- just\n- a list',
        'metadata: {name: m}',
      ),
    ),
  ).toEqual([
    'x.yaml:0 Application/a apiVersion: depot.sh/v1 is not served by Depot; use depot.sh/v1alpha1',
    'x.yaml:1 Release/r kind: unknown kind "Release" in depot.sh/v1alpha1 (known kinds: Application, Environment, EnvironmentSet, Target, Promotion)',
    'x.yaml:2: document is not a Kubernetes object (expected a mapping with apiVersion and kind)',
    'x.yaml:3: not a Kubernetes object: apiVersion and kind missing or not a string',
  ]);
});

test('schema problems name the object and field', () => {
  expect(lines(base, file('t.yaml', target('t1', 'dev', '{agent: {}, none: {}}')))).toEqual([
    't.yaml:0 Target/t1 spec.delivery: exactly one of argocd, flux, agent, none must be set',
  ]);
});

test('duplicate names in one namespace are reported at the second definition; other namespaces are separate', () => {
  const other = `apiVersion: depot.sh/v1alpha1\nkind: Environment\nmetadata: {name: dev, namespace: team-b}\nspec: {}`;
  expect(lines(base, file('dup.yaml', env('dev'), other))).toEqual([
    'dup.yaml:0 Environment/dev metadata.name: duplicate Environment "dev" (first defined at base.yaml:0)',
  ]);
});

test('references that do not resolve within the given files are reported', () => {
  expect(
    lines(
      base,
      file(
        'refs.yaml',
        set('edge', ['dev', 'edge-eu']),
        target('t1', 'qa'),
        promo('p1', 'dev', 'uat'),
        app(
          'dash',
          '{environmentSets: [default, missing], environments: [{name: lab}], compatibility: [{requires: {application: core, versions: ">=1.0.0"}}], targets: {nowhere: {argocd: {}}}}',
        ),
      ),
    ),
  ).toEqual([
    'refs.yaml:0 EnvironmentSet/edge spec.environments[1]: Environment "edge-eu" is not defined in the given files',
    'refs.yaml:1 Target/t1 spec.environment: Environment "qa" is not defined in the given files',
    'refs.yaml:2 Promotion/p1 spec.to: Environment "uat" is not defined in the given files',
    'refs.yaml:3 Application/dash spec.compatibility[0].requires.application: Application "core" is not defined in the given files',
    'refs.yaml:3 Application/dash spec.environmentSets[1]: EnvironmentSet "missing" is not defined in the given files',
    'refs.yaml:3 Application/dash spec.environments[0].name: Environment "lab" is not defined in the given files',
    'refs.yaml:3 Application/dash spec.targets.nowhere: Target "nowhere" is not defined in the given files',
  ]);
});

test('--skip-references turns the reference check off', () => {
  expect(validateSources([file('t.yaml', target('t1', 'qa'))], { skipReferences: true }).problems).toEqual(
    [],
  );
});

test('versions and target overrides must fit the application', () => {
  expect(
    lines(
      base,
      file(
        'targets.yaml',
        target('lab-argocd', 'lab', '{argocd: {}}'),
        env('lab'),
        target('prod-flux', 'prod', '{flux: {receiver: {url: "http://x/hook"}}}'),
      ),
      file('opaque.yaml', app('model', '{versionScheme: opaque, environments: [{name: dev}]}')),
      file(
        'apps.yaml',
        app(
          'core',
          '{environmentSets: [default], versions: {qa: 1.0.0}, targets: {lab-argocd: {argocd: {applicationName: x}}, prod-flux: {flux: {patch: {name: y}}}}}',
        ),
        app(
          'dash',
          '{environmentSets: [default], compatibility: [{requires: {application: model, versions: "*"}}]}',
        ),
      ),
    ),
  ).toEqual([
    'apps.yaml:0 Application/core spec.targets.lab-argocd: Target "lab-argocd" is in environment "lab", which is not one of the application\'s environments (dev, staging, prod)',
    'apps.yaml:0 Application/core spec.targets.prod-flux.flux: Target "prod-flux" does not deliver with a flux patch, so this override has no effect',
    'apps.yaml:0 Application/core spec.versions.qa: environment "qa" is not one of the application\'s environments (dev, staging, prod)',
    'apps.yaml:1 Application/dash spec.compatibility[0].requires.versions: model uses versionScheme opaque, which can be required only by exact version; "*" is not one',
  ]);
});

test('promotion cycles are reported on every promotion in the cycle', () => {
  expect(
    lines(
      base,
      file(
        'p.yaml',
        promo('up', 'dev', 'staging'),
        promo('down', 'staging', 'dev'),
        promo('ship', 'staging', 'prod'),
      ),
    ),
  ).toEqual([
    'p.yaml:0 Promotion/up spec.to: promotion cycle dev → staging → dev (Promotions up, down)',
    'p.yaml:1 Promotion/down spec.to: promotion cycle dev → staging → dev (Promotions up, down)',
  ]);
  expect(
    lines(
      base,
      file('p.yaml', promo('a', 'dev', 'staging'), promo('b', 'staging', 'prod'), promo('c', 'prod', 'dev')),
    ),
  ).toHaveLength(3);
  expect(
    lines(
      base,
      file('p.yaml', promo('a', 'dev', 'staging'), promo('b', 'dev', 'prod'), promo('c', 'staging', 'prod')),
    ),
  ).toEqual([]);
});

test('rule syntax the regular expressions let through is checked with the semver package, cron-parser and the time zone database', () => {
  expect(
    lines(
      base,
      file(
        'sem.yaml',
        app('core', '{environmentSets: [default], versions: {dev: 99999999999999999.0.0}}'),
        promo('p', 'dev', 'staging', ', schedule: "0 0 31 2 *", timeZone: UTC'),
        promo('q', 'staging', 'prod', ', schedule: "0 9 * * 1", timeZone: Mars/Olympus'),
        `apiVersion: depot.sh/v1alpha1\nkind: Environment\nmetadata: {name: lab}\nspec: {freeze: {enabled: true, windows: [{schedule: "0 18 * * FOO", duration: 1h}]}}`,
      ),
    ),
  ).toEqual([
    'sem.yaml:0 Application/core spec.versions.dev: "99999999999999999.0.0" is not a valid semantic version',
    'sem.yaml:1 Promotion/p spec.schedule: "0 0 31 2 *" is not a valid cron schedule: it never fires (no month it names has that day)',
    'sem.yaml:2 Promotion/q spec.timeZone: "Mars/Olympus" is not a known IANA time zone',
    'sem.yaml:3 Environment/lab spec.freeze.windows[0].schedule: "0 18 * * FOO" is not a valid cron schedule: Validation error, cannot resolve alias "foo"',
  ]);
});

test('compatibility rules: the same checks as the operator, naming the rule index and field', () => {
  expect(
    lines(
      base,
      file('opaque.yaml', app('model', '{versionScheme: opaque, environments: [{name: dev}]}')),
      file(
        'apps.yaml',
        app('core', '{environmentSets: [default]}'),
        app(
          'dash',
          '{environmentSets: [default], compatibility: [{requires: {application: model, versions: build-7}}, {when: ">=2.0.0", requires: {application: core, versions: "1.x"}}, {requires: {application: core, versions: build-7}}]}',
        ),
      ),
    ),
  ).toEqual([
    // An exact version fits the opaque model; the semver core needs a range.
    'apps.yaml:1 Application/dash spec.compatibility[2].requires.versions: "build-7" is not a valid semver range',
  ]);
});
