// The owner's consent (depot.sh/authorized-targets, depot.sh/authorized-fields):
// the annotation parser, exact field names (no wildcards), and messages that
// neither tell a missing object from a refusing one nor echo the annotations.
import type { KubeObject } from '../kube/resource.js';
import {
  annotationEntries,
  authorizesField,
  authorizesTarget,
  consentOf,
  missingOrUnauthorizedMessage,
  withoutQuotedObject,
} from './delivery-authorization.js';

const object = (annotations: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'X',
  metadata: { name: 'x', namespace: 'team-b', annotations },
});
const targetOnly = object({ 'depot.sh/authorized-targets': 'team-a/prod' });
const target = { namespace: 'team-a', name: 'prod' };
const tagField = { name: 'spec.ref.tag', versionFields: ['spec.ref.tag', 'spec.ref.semver'] };
const field = (name: string) => ({ name, versionFields: ['targetRevision'] });

describe('the annotation parser', () => {
  test('trims spaces and drops empty entries', () => {
    expect(annotationEntries(' a/b ,, c/* ,\t,d ')).toEqual(['a/b', 'c/*', 'd']);
    expect(annotationEntries('')).toEqual([]);
    expect(annotationEntries(' , ,')).toEqual([]);
    expect(annotationEntries(undefined)).toEqual([]);
  });
});

describe('authorized-targets', () => {
  test('lists the Target by name or its namespace with /*', () => {
    expect(
      authorizesTarget(object({ 'depot.sh/authorized-targets': 'x/y, team-a/prod ' }), 'team-a', 'prod'),
    ).toBe(true);
    expect(authorizesTarget(object({ 'depot.sh/authorized-targets': 'team-a/*' }), 'team-a', 'prod')).toBe(
      true,
    );
    expect(
      authorizesTarget(object({ 'depot.sh/authorized-targets': 'team-a/prod-2,*/prod,*' }), 'team-a', 'prod'),
    ).toBe(false);
    expect(authorizesTarget(object({}), 'team-a', 'prod')).toBe(false);
  });
});

describe('authorized-fields', () => {
  test("the kind's version fields need no entry", () => {
    expect(authorizesField(targetOnly, tagField)).toBe(true);
    expect(authorizesField(targetOnly, { ...tagField, name: 'spec.url' })).toBe(false);
  });

  test('exact names, with spaces around them and empty entries ignored', () => {
    const o = object({ 'depot.sh/authorized-fields': ' helm:image.tag ,, spec.values.image.tag ,' });
    expect(authorizesField(o, field('helm:image.tag'))).toBe(true);
    expect(authorizesField(o, field('spec.values.image.tag'))).toBe(true);
    expect(authorizesField(o, field('helm:image'))).toBe(false);
    expect(authorizesField(o, field('helm:image.tag.x'))).toBe(false);
    expect(authorizesField(o, field('image.tag'))).toBe(false);
    expect(authorizesField(o, field(''))).toBe(false);
  });

  test('an entry with * is no wildcard and matches nothing, not even itself', () => {
    const o = object({ 'depot.sh/authorized-fields': '*, helm:*, spec.values.*, spec.values.a*b' });
    for (const name of ['helm:image.repository', 'spec.values.db.password', 'spec.values.ab', '*', 'helm:*'])
      expect(authorizesField(o, field(name))).toBe(false);
    expect(authorizesField(o, field('spec.values.a*b'))).toBe(false);
  });
});

describe('consent and its messages', () => {
  const what = 'HelmRelease team-b/db';

  test('a missing object and one that does not list the Target get the same message, without the annotation', () => {
    const missing = consentOf(undefined, what, target, tagField);
    const other = consentOf(
      object({
        'depot.sh/authorized-targets': 'team-c/secret-target',
        'depot.sh/authorized-fields': 'spec.x',
      }),
      what,
      target,
      tagField,
    );
    expect(missing).toEqual({ allowed: false, message: missingOrUnauthorizedMessage(what, target) });
    expect(other).toEqual(missing);
    expect(JSON.stringify(other)).not.toContain('team-c');
    expect(missingOrUnauthorizedMessage(what, target)).toBe(
      'HelmRelease team-b/db does not exist or does not authorize Target team-a/prod: Depot reads and writes it ' +
        'only when its owner adds the annotation depot.sh/authorized-targets: "team-a/prod" (or "team-a/*")',
    );
  });

  test('a field outside the version fields names the annotation and the exact entry to add', () => {
    const refused = consentOf(
      object({
        'depot.sh/authorized-targets': 'team-a/*',
        'depot.sh/authorized-fields': 'spec.values.secret.x',
      }),
      what,
      target,
      { name: 'spec.url', versionFields: ['spec.ref.tag'] },
    );
    expect(refused).toEqual({
      allowed: false,
      message:
        'HelmRelease team-b/db authorizes Target team-a/prod for its version fields only (spec.ref.tag), not spec.url: ' +
        'Depot reads and writes spec.url only when its owner adds "spec.url" to the annotation depot.sh/authorized-fields ' +
        '(comma-separated exact names; * is not a wildcard)',
    });
    expect(JSON.stringify(refused)).not.toContain('spec.values.secret.x');
  });

  test('allowed with both', () => {
    expect(consentOf(targetOnly, what, target, tagField)).toEqual({ allowed: true });
    expect(
      consentOf(
        object({
          'depot.sh/authorized-targets': 'team-a/prod',
          'depot.sh/authorized-fields': 'helm:image.repository',
        }),
        what,
        target,
        field('helm:image.repository'),
      ),
    ).toEqual({ allowed: true });
  });
});

test('an API server error keeps its reason but not the object it quotes', () => {
  const quoted = JSON.stringify(
    JSON.stringify({
      metadata: { annotations: { 'depot.sh/authorized-targets': 'x/*' } },
      spec: { p: 'se\\"cret' },
    }),
  );
  const message = `"" is invalid: patch: Invalid value: ${quoted}: strict decoding error: unknown field "spec.ref.tagg"`;
  expect(withoutQuotedObject(message)).toBe(
    '"" is invalid: patch: Invalid value: strict decoding error: unknown field "spec.ref.tagg"',
  );
});
