import type { Application } from '../api/application.js';
import { actorFields, rejectionVerified, requestActor } from './actors.js';

const app = (spec: Partial<Application['spec']>): Application =>
  ({
    apiVersion: 'depot.sh/v1alpha1',
    kind: 'Application',
    metadata: { name: 'core', namespace: 'ns' },
    spec: { versionScheme: 'semver', ...spec },
  }) as Application;

const verified = { verified: true };
const unverifiedSource = { verified: false };

test('the stamp of this very version names the actor, verified where the policies stamp', () => {
  const a = app({
    versions: { prod: '1.1.0' },
    requestedBy: { prod: { user: 'mallory', version: '1.1.0' } },
  });
  expect(requestActor(a, 'prod', 'alice@example.com', verified)).toEqual({ actor: 'mallory' });
  expect(requestActor(a, 'prod', 'alice@example.com', unverifiedSource)).toEqual({
    actor: 'mallory',
    unverified: true,
  });
});

test("a stamp of an older version is not this write's: the field manager's name, unverified", () => {
  const a = app({ versions: { prod: '1.2.0' }, requestedBy: { prod: { user: 'bob', version: '1.1.0' } } });
  expect(requestActor(a, 'prod', 'alice', verified)).toEqual({ actor: 'alice', unverified: true });
  expect(requestActor(app({ versions: { prod: '1.2.0' } }), 'prod', undefined, verified)).toBeUndefined();
});

test('a rejection is verified only with its stamp and the policies', () => {
  expect(rejectionVerified({ rejectedBy: 'alice' }, verified)).toBe(true);
  expect(rejectionVerified({}, verified)).toBe(false);
  expect(rejectionVerified({ rejectedBy: 'alice' }, unverifiedSource)).toBe(false);
});

test('history fields carry actorUnverified only when it is', () => {
  expect(actorFields({ actor: 'a' })).toEqual({ actor: 'a' });
  expect(actorFields({ actor: 'a', unverified: true })).toEqual({ actor: 'a', actorUnverified: true });
});
