// Rendered namespaces and names of deliveries: each is checked as the field
// Kubernetes requires it (a namespace is an RFC 1123 label, an object name a
// subdomain), and a refusal names the setting, the template and the value.
import fc from 'fast-check';
import { app as application, target } from './testing/builders.js';
import { deliveryNameProblems, renderedNames } from './delivery-names.js';
import { expandTemplate } from './delivery.js';
import { growthOfRepeated } from '../kube/testing/growth.js';

const values = { application: 'core', environment: 'prod', target: 'eu-1', namespace: 'team-a' };

const argocd = (settings: object) => ({ argocd: { set: { targetRevision: {} }, ...settings } }) as never;
const flux = (patch: object) =>
  ({
    flux: {
      patch: {
        apiVersion: 'helm.toolkit.fluxcd.io/v2',
        kind: 'HelmRelease',
        field: 'spec.chart.spec.version',
        ...patch,
      },
    },
  }) as never;

describe('deliveryNameProblems', () => {
  const core = application('core');
  const prod = target('eu-1', 'prod');

  test('valid namespaces and names have no problem', () => {
    const d = argocd({ applicationNamespace: 'argocd', applicationName: '${application}-${environment}' });
    expect(deliveryNameProblems(core, prod, 'prod', d)).toEqual([]);
    expect(
      deliveryNameProblems(core, prod, 'prod', flux({ name: 'a.b-c', namespace: '${namespace}' })),
    ).toEqual([]);
  });

  test.each(['..', '.', 'a.b', 'A', '-a', 'a-', 'a'.repeat(64), ''])(
    'the Argo CD namespace "%s" is refused, naming the setting, the template and the value',
    (ns) => {
      expect(deliveryNameProblems(core, prod, 'prod', argocd({ applicationNamespace: ns }))).toEqual([
        `Target eu-1 spec.delivery.argocd.applicationNamespace "${ns}" renders to "${ns}", which is not valid: it must be a namespace: a lowercase RFC 1123 label of at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit (e.g. "argocd")`,
      ]);
    },
  );

  test.each(['..', '.', 'a..b', '.a', 'a.', 'a'.repeat(254)])('the object name "%s" is refused', (name) => {
    expect(deliveryNameProblems(core, prod, 'prod', argocd({ applicationName: name }))).toHaveLength(1);
    expect(deliveryNameProblems(core, prod, 'prod', flux({ name }))).toEqual([
      expect.stringContaining(
        `spec.delivery.flux.patch.name "${name}" renders to "${name}", which is not valid: it must be an object name`,
      ),
    ]);
  });

  test('an object name may have dots (a subdomain), a namespace may not', () => {
    expect(deliveryNameProblems(core, prod, 'prod', argocd({ applicationName: 'core.prod' }))).toEqual([]);
    expect(
      deliveryNameProblems(core, prod, 'prod', argocd({ applicationNamespace: 'core.prod' })),
    ).toHaveLength(1);
  });

  test('a template is checked as it renders: too long for this application, or "." where a variable is empty', () => {
    const long = application('a'.repeat(40));
    const d = argocd({ applicationNamespace: '${application}-${environment}-${target}' });
    expect(deliveryNameProblems(core, prod, 'prod', d)).toEqual([]);
    expect(deliveryNameProblems(long, target('e'.repeat(20), 'prod'), 'prod', d)).toEqual([
      expect.stringContaining(
        `"\${application}-\${environment}-\${target}" renders to "${'a'.repeat(40)}-prod-${'e'.repeat(20)}"`,
      ),
    ]);
    const unnamespaced = { ...prod, metadata: { name: 'eu-1' } } as typeof prod;
    const bare = { ...core, metadata: { name: 'core' } } as typeof core;
    expect(
      deliveryNameProblems(
        bare,
        unnamespaced,
        'prod',
        argocd({ applicationNamespace: '${namespace}.${namespace}' }),
      ),
    ).toEqual([expect.stringContaining('renders to ".", which is not valid')]);
  });

  test("the Application's override is named where it is set", () => {
    const overriding = application('core', {
      targets: { 'eu-1': { argocd: { applicationNamespace: '..' } } },
    } as never);
    expect(deliveryNameProblems(overriding, prod, 'prod', argocd({ applicationNamespace: '..' }))).toEqual([
      expect.stringMatching(
        /^Application core spec\.targets\.eu-1\.argocd\.applicationNamespace "\.\." renders to "\.\."/,
      ),
    ]);
  });

  test('appliedBy and the Flux namespace are checked; an unset namespace is the Target’s', () => {
    const d = flux({ name: 'core', appliedBy: { name: '..', namespace: '.' } });
    expect(deliveryNameProblems(core, prod, 'prod', d).map((m) => m.split(' "')[0])).toEqual([
      'Target eu-1 spec.delivery.flux.patch.appliedBy.namespace',
      'Target eu-1 spec.delivery.flux.patch.appliedBy.name',
    ]);
    expect(renderedNames(flux({ name: 'core' }), values)).toContainEqual({
      setting: 'flux.patch.namespace',
      template: 'team-a',
      value: 'team-a',
      kind: 'namespace',
    });
  });

  test('every rendered value that passes is a valid namespace or name (property)', () => {
    const segment = fc.stringMatching(/^[-a-z0-9.]{1,20}$/);
    fc.assert(
      fc.property(segment, (ns) => {
        const problems = deliveryNameProblems(core, prod, 'prod', argocd({ applicationNamespace: ns }));
        const valid = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns);
        expect(problems.length === 0).toBe(valid);
      }),
    );
  });
});

test.each([
  ['"${" repeated, then "!"', '${', '!'],
  ['"${application}" repeated', '${application}', ''],
])('expanding a template grows linearly: %s', (_what, unit, tail) => {
  const expand = (t: string) => {
    try {
      return expandTemplate(t, values);
    } catch {
      return undefined;
    }
  };
  const growth = growthOfRepeated(expand, unit, tail);
  expect(growth).toEqual(expect.objectContaining({ linear: true }));
});
