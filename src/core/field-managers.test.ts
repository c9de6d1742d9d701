import {
  actorOf,
  MANUAL_PROMOTE_MANAGER_PREFIX,
  promotionManager,
  SET_VERSION_MANAGER_PREFIX,
  userManager,
  versionWriter,
  writeKind,
} from './field-managers.js';
import { wrote } from './testing/builders.js';

test.each([
  [promotionManager('staging-to-prod', 'prod'), 'promotion staging-to-prod', 'Promoted'],
  [userManager(MANUAL_PROMOTE_MANAGER_PREFIX, 'prod', 'alice'), 'alice', 'Promoted'],
  [
    userManager(SET_VERSION_MANAGER_PREFIX, 'dev', 'system:serviceaccount:ci:builder'),
    'system:serviceaccount:ci:builder',
    'Requested',
  ],
  ['kubectl-client-side-apply', 'kubectl-client-side-apply', 'Requested'],
])('%s is actor %s and a %s write', (manager, actor, kind) => {
  expect(actorOf(manager)).toBe(actor);
  expect(writeKind(manager)).toBe(kind);
});

test('managers are per environment and at most 128 characters', () => {
  expect(promotionManager('p', 'prod')).not.toBe(promotionManager('p', 'staging'));
  expect(userManager(SET_VERSION_MANAGER_PREFIX, 'dev', 'x'.repeat(300))).toHaveLength(128);
});

test('the writer of spec.versions.<env> is the newest manager owning it', () => {
  const fields = [
    wrote('depot-cli.prod.bob', ['prod'], '2026-11-20T11:00:00Z'),
    wrote('depot-cli.dev.carol', ['dev'], '2026-11-20T12:00:00Z'),
    {
      manager: 'depot-operator',
      operation: 'Update',
      time: '2026-11-20T13:00:00Z',
      fieldsV1: { 'f:status': {} },
    },
  ];
  expect(versionWriter(fields, 'prod')).toBe('depot-cli.prod.bob');
  expect(versionWriter(fields, 'dev')).toBe('depot-cli.dev.carol');
  expect(versionWriter(fields, 'qa')).toBeUndefined();
  expect(versionWriter(undefined, 'dev')).toBeUndefined();
});
