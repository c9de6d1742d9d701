import type { HistoryEntry } from '../../api/application.js';
import type { Promotion } from '../../api/promotion.js';
import {
  gateList,
  gatesWaiting,
  historyRow,
  PROMOTION_HEAD,
  promotionRow,
  SHORT_ANSWER,
} from './promotion-table.js';

const long = `HTTP 500: ${'x'.repeat(100)}`;
const promotion = {
  apiVersion: 'depot.sh/v1alpha1',
  kind: 'Promotion',
  metadata: { name: 'to-prod' },
  spec: {
    from: 'staging',
    to: 'prod',
    requireDeployed: true,
    suspend: false,
    gates: [
      { name: 'smoke', http: { url: 'https://checks/depot' } },
      { name: 'errors', prometheus: { address: 'http://prom:9090', query: 'up', condition: '< 0.01' } },
    ],
  },
  status: {
    results: [
      {
        application: 'core',
        version: '1.2.0',
        outcome: 'Blocked',
        gates: [
          { name: 'smoke', result: 'Failed', message: long },
          { name: 'errors', result: 'Passed', message: '0.001 satisfies < 0.01' },
        ],
      },
      {
        application: 'dash',
        version: '2.0.0',
        outcome: 'Waiting',
        gates: [
          { name: 'smoke', result: 'Passed', message: 'passed (HTTP 200)' },
          { name: 'errors', result: 'Pending', message: 'not answered yet' },
        ],
      },
      // Promoted: its gates all passed; nothing waits on them.
      {
        application: 'web',
        version: '3.0.0',
        outcome: 'Promoted',
        gates: [{ name: 'smoke', result: 'Passed' }],
      },
    ],
  },
} as Promotion;

test('get promotions lists each gate with its kind', () => {
  expect(gateList(promotion)).toBe('smoke (http), errors (prometheus)');
  expect(gateList({ ...promotion, spec: { ...promotion.spec, gates: undefined } })).toBe('');
});

test('each waiting or blocked version names the gates that have not passed and their last answer', () => {
  expect(gatesWaiting(promotion)).toEqual([
    `core@1.2.0: smoke Failed: ${long.slice(0, SHORT_ANSWER - 1)}…`,
    'dash@2.0.0: errors Pending: not answered yet',
  ]);
  // -o wide: the whole answer.
  expect(gatesWaiting(promotion, true)[0]).toBe(`core@1.2.0: smoke Failed: ${long}`);
});

test('the row puts gates under GATES and WAITING ON GATES', () => {
  const row = promotionRow(promotion, 'True');
  const cell = (head: string) => row[PROMOTION_HEAD.indexOf(head)];
  expect(row).toHaveLength(PROMOTION_HEAD.length);
  expect(cell('GATES')).toBe('smoke (http), errors (prometheus)');
  expect(cell('WAITING ON GATES')).toContain('dash@2.0.0: errors Pending');
  expect(cell('READY')).toBe('True');
  const bare = promotionRow({ ...promotion, spec: { from: 'a', to: 'b' }, status: {} } as Promotion, 'True');
  expect([bare[PROMOTION_HEAD.indexOf('GATES')], bare[PROMOTION_HEAD.indexOf('WAITING ON GATES')]]).toEqual([
    '-',
    '-',
  ]);
});

test('history marks a gate entry as about a candidate version and paints its outcome', () => {
  const entry = (type: HistoryEntry['type']): HistoryEntry => ({
    time: '2026-12-07T10:00:00Z',
    type,
    environment: 'prod',
    to: '1.2.0',
    actor: 'promotion to-prod',
    message: 'gate smoke of Promotion to-prod failed: HTTP 500',
  });
  const paint = (kind: string, text: string) => `<${kind}>${text}`;
  expect(historyRow(entry('GateFailed'), paint)).toEqual([
    '2026-12-07T10:00:00Z',
    '<drift>GateFailed',
    'prod',
    '',
    '',
    '1.2.0 (candidate)',
    'promotion to-prod',
    'gate smoke of Promotion to-prod failed: HTTP 500',
  ]);
  expect(historyRow(entry('GatePassed'), paint)[1]).toBe('<ok>GatePassed');
  // Other entries are as before: TO is the version after the change.
  expect(historyRow({ ...entry('Promoted'), from: '1.1.0' }, paint).slice(1, 6)).toEqual([
    'Promoted',
    'prod',
    '',
    '1.1.0',
    '1.2.0',
  ]);
});

test('get promotions shows verification: the window and the counts by state; wide lists what failed', () => {
  const verifying: Promotion = {
    ...promotion,
    spec: {
      ...promotion.spec,
      verify: {
        for: '15m',
        gates: [{ name: 'errors', http: { url: 'https://checks/e' } }],
        onFailure: 'rollback',
        reject: true,
      },
    },
    status: {
      verifications: [
        { application: 'core', version: '1.2.0', phase: 'Verifying', promotedAt: '2026-12-07T10:00:00Z' },
        { application: 'dash', version: '2.0.0', phase: 'Verified', promotedAt: '2026-12-07T10:00:00Z' },
        {
          application: 'web',
          version: '3.1.0',
          phase: 'Failed',
          promotedAt: '2026-12-07T10:00:00Z',
          message: 'verification gate errors failed: HTTP 500; prod rolled back to 3.0.0',
        },
      ],
    },
  } as Promotion;
  const cell = (p: Promotion, wide = false) =>
    promotionRow(p, 'True', wide)[PROMOTION_HEAD.indexOf('VERIFY')];
  expect(cell(verifying)).toBe('15m rollback+reject: 1 verifying, 1 verified, 1 failed');
  expect(cell(verifying, true)).toBe(
    '15m rollback+reject: 1 verifying, 1 verified, 1 failed\nweb@3.1.0: verification gate errors failed: HTTP 500; prod rolled back to 3.0.0',
  );
  expect(cell({ ...promotion, spec: { ...promotion.spec, requireVerified: true } } as Promotion)).toBe(
    'requires verified',
  );
  expect(cell({ ...promotion, status: {} } as Promotion)).toBe('-');
});

test('history paints verification entries: Verified like success, VerificationFailed and a rollback like drift', () => {
  const entry = (type: HistoryEntry['type']): HistoryEntry => ({
    time: '2026-12-07T10:00:00Z',
    type,
    environment: 'prod',
    to: '1.2.0',
    actor: 'promotion/to-prod',
  });
  const paint = (kind: string, text: string) => `<${kind}>${text}`;
  expect(historyRow(entry('Verified'), paint)[1]).toBe('<ok>Verified');
  expect(historyRow(entry('VerificationFailed'), paint)[1]).toBe('<drift>VerificationFailed');
  expect(historyRow(entry('RolledBack'), paint)[1]).toBe('<drift>RolledBack');
  expect(historyRow(entry('Verified'), paint)[5]).toBe('1.2.0');
});
