// Parsing objects: defaults as the API server applies them, typed results,
// problems with field paths, status shapes.
import { parseApplication, parseEnvironment, parsePromotion, parseTarget } from './index.js';
import { formatPath } from './parse.js';

const obj = (kind: string, spec: unknown, extra: object = {}) => ({
  apiVersion: 'depot.sh/v1alpha1',
  kind,
  metadata: { name: 'x' },
  spec,
  ...extra,
});

test('a Target without delivery delivers with none; argocd gets its defaults', () => {
  const none = parseTarget(obj('Target', { environment: 'prod' }));
  expect(none.ok && none.value.spec.delivery).toEqual({ none: {} });
  const argo = parseTarget(obj('Target', { environment: 'prod', delivery: { argocd: {} } }));
  expect(argo.ok && argo.value.spec.delivery.argocd).toEqual({
    applicationNamespace: 'argocd',
    applicationName: '${application}',
    set: { targetRevision: {} },
  });
});

test('an Application defaults to semver; a Promotion requires deployment and is not suspended', () => {
  const app = parseApplication(obj('Application', undefined));
  expect(app.ok && app.value.spec).toEqual({ versionScheme: 'semver' });
  const promo = parsePromotion(obj('Promotion', { from: 'a', to: 'b' }));
  expect(promo.ok && promo.value.spec).toEqual({ from: 'a', to: 'b', requireDeployed: true, suspend: false });
});

test('problems carry API-server-style paths and readable messages', () => {
  const result = parseApplication({
    apiVersion: 'depot.sh/v1',
    kind: 'Application',
    metadata: { name: 'x' },
    spec: { environments: [{ name: 'dev' }, { nam: 'qa' }], versions: 7 },
    extra: true,
  });
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.problems).toEqual(
    expect.arrayContaining([
      { path: 'apiVersion', message: 'must be "depot.sh/v1alpha1"' },
      { path: 'extra', message: 'unknown field' },
      { path: 'spec.environments[1].name', message: 'required field is missing' },
      { path: 'spec.environments[1].nam', message: 'unknown field' },
      { path: 'spec.versions', message: 'must be an object (a map), not number 7' },
    ]),
  );
});

test('an Application status with every field parses; a wrong history type does not', () => {
  const t = '2026-01-02T15:04:05Z';
  const status = {
    observedGeneration: 3,
    conditions: [
      {
        type: 'Compatible',
        status: 'False',
        reason: 'RequirementNotMet',
        message: 'dash 2.0.0 requires core >=1.12.0 <2.0.0',
        lastTransitionTime: t,
      },
    ],
    environments: [
      {
        name: 'prod',
        requested: '2.0.0',
        desired: '1.9.4',
        desiredSince: t,
        setBy: 'ci',
        blocked: { reason: 'RequirementNotMet', message: 'm' },
        targets: ['p'],
      },
      { name: 'dev', blocked: null },
    ],
    targets: [
      {
        name: 'p',
        environment: 'prod',
        desired: '1.9.4',
        deployed: '1.9.4',
        deployedAt: t,
        delivery: { state: 'Failed', message: 'no annotation', attempts: 3, lastAttempt: t },
      },
    ],
    history: [
      {
        time: t,
        type: 'Forced',
        environment: 'prod',
        target: 'p',
        from: '1.9.4',
        to: '2.0.0',
        actor: 'alice',
        message: 'hotfix',
      },
    ],
  };
  expect(parseApplication(obj('Application', {}, { status }))).toMatchObject({ ok: true });
  const bad = { ...status, history: [{ ...status.history[0], type: 'Rolled' }] };
  expect(parseApplication(obj('Application', {}, { status: bad }))).toMatchObject({
    ok: false,
    problems: [{ path: 'status.history[0].type', message: expect.stringContaining('"Requested"') }],
  });
});

test('duplicate condition types are rejected, like the API server does for list maps', () => {
  const c = {
    type: 'Ready',
    status: 'True',
    reason: 'Ready',
    message: '',
    lastTransitionTime: '2026-01-02T15:04:05Z',
  };
  expect(parseEnvironment(obj('Environment', {}, { status: { conditions: [c, c] } }))).toMatchObject({
    ok: false,
    problems: [{ path: 'status.conditions[1]', message: 'Duplicate value: "Ready"' }],
  });
});

test('formatPath quotes keys that are not plain identifiers', () => {
  expect(formatPath(['spec', 'versions', 'prod'])).toBe('spec.versions.prod');
  expect(formatPath(['spec', 'matchLabels', 'app.kubernetes.io/name'])).toBe(
    'spec.matchLabels["app.kubernetes.io/name"]',
  );
  expect(formatPath(['a', 0, 'b'])).toBe('a[0].b');
});
