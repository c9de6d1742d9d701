// History actors from the admission stamps (spec.requestedBy, rejectedBy) with
// --verified-actors, else from field managers and marked actorUnverified.
import { app, applicationInput } from '../testing/builders.js';
import { planApplication } from './plan.js';

const now = new Date('2026-12-07T12:00:00Z');
const aliceManager = [
  {
    manager: 'depot-cli.prod.alice@example.com',
    operation: 'Apply',
    time: '2026-12-07T11:59:00Z',
    fieldsV1: { 'f:spec': { 'f:versions': { 'f:prod': {} } } },
  },
];
const stamped = app(
  'core',
  {
    versions: { prod: '1.1.0' },
    requestedBy: { prod: { user: 'mallory', version: '1.1.0' } },
    rejectedVersions: [{ version: '0.9.0', reason: 'broken', rejectedBy: 'mallory' }],
  },
  {},
);
stamped.metadata.managedFields = aliceManager;

const entries = (verifiedActors: boolean) =>
  planApplication(applicationInput(stamped, now, { verifiedActors })).added;

test('with the policies, the stamp names the actor: verified', () => {
  const added = entries(true);
  expect(added.find((h) => h.type === 'Requested')).toMatchObject({ actor: 'mallory', to: '1.1.0' });
  expect(added.find((h) => h.type === 'Requested')!.actorUnverified).toBeUndefined();
  expect(added.find((h) => h.type === 'Rejected')).toMatchObject({ actor: 'mallory' });
  expect(added.find((h) => h.type === 'Rejected')!.actorUnverified).toBeUndefined();
});

test('without them, every actor is marked unverified', () => {
  const added = entries(false);
  expect(added.find((h) => h.type === 'Requested')).toMatchObject({
    actor: 'mallory',
    actorUnverified: true,
  });
  expect(added.find((h) => h.type === 'Rejected')).toMatchObject({ actorUnverified: true });
});

test("a stamp of an older version is not this request's: the field manager's name, unverified", () => {
  const older = structuredClone(stamped);
  older.spec.versions = { prod: '1.2.0' };
  const added = planApplication(applicationInput(older, now, { verifiedActors: true })).added;
  expect(added.find((h) => h.type === 'Requested')).toMatchObject({
    actor: 'alice@example.com',
    actorUnverified: true,
  });
});
