// GatePassed / GateFailed entries: recorded when a gate's outcome for a
// version changes, once, whatever the number of reconciles.
import type { HistoryEntry } from '../../api/application.js';
import { promotion } from '../testing/builders.js';
import { gateFacts, gateHistory, type GateFact } from './gate-history.js';

const now = new Date('2026-11-20T12:00:00Z');
const failed: GateFact = {
  promotion: 'to-prod',
  environment: 'prod',
  version: '1.3.0',
  gate: 'smoke',
  result: 'Failed',
  message: 'error rate 7%',
};
const withId = (e: Omit<HistoryEntry, 'id'>): HistoryEntry => ({ id: 'x', ...e });

test('an outcome is recorded once, and again only when it changes', () => {
  const first = gateHistory([], [failed], now);
  expect(first).toEqual([
    {
      time: now.toISOString(),
      type: 'GateFailed',
      environment: 'prod',
      to: '1.3.0',
      actor: 'promotion to-prod',
      message: 'gate smoke of Promotion to-prod failed: error rate 7%',
    },
  ]);
  const history = first.map(withId);
  expect(gateHistory(history, [failed], now)).toEqual([]);
  const passed = gateHistory(history, [{ ...failed, result: 'Passed', message: 'ok' }], now);
  expect(passed).toMatchObject([
    { type: 'GatePassed', message: 'gate smoke of Promotion to-prod passed: ok' },
  ]);
  // Another gate, version or Promotion is its own line.
  expect(gateHistory(history, [{ ...failed, gate: 'errors' }], now)).toHaveLength(1);
  expect(gateHistory(history, [{ ...failed, version: '1.3.1' }], now)).toHaveLength(1);
  expect(gateHistory(history, [{ ...failed, promotion: 'other' }], now)).toHaveLength(1);
});

test('facts come from the results of the Promotions: pending answers are not facts', () => {
  const p = promotion('to-prod', { from: 'staging', to: 'prod' });
  p.status = {
    results: [
      {
        application: 'web',
        version: '1.3.0',
        outcome: 'Blocked',
        gates: [
          { name: 'smoke', result: 'Failed', message: 'error rate 7%' },
          { name: 'errors', result: 'Pending', message: 'not answered yet' },
        ],
      },
      { application: 'api', version: '2.0.0', outcome: 'Waiting' },
    ],
  };
  expect(gateFacts('web', [p])).toEqual([failed]);
  expect(gateFacts('api', [p])).toEqual([]);
});

test('answers kept by the operator count too: an application beyond status.results still gets its entry', () => {
  const p = promotion('to-prod', { from: 'staging', to: 'prod' });
  p.status = { results: [] }; // status.results is bounded: a promoted application may not be listed
  const kept = [
    {
      promotion: 'to-prod',
      application: 'web',
      version: '1.3.0',
      gate: 'smoke',
      result: 'Passed' as const,
      message: 'ok',
    },
    {
      promotion: 'gone',
      application: 'web',
      version: '1.3.0',
      gate: 'smoke',
      result: 'Passed' as const,
      message: 'ok',
    },
  ];
  expect(gateFacts('web', [p], kept)).toEqual([
    {
      promotion: 'to-prod',
      environment: 'prod',
      version: '1.3.0',
      gate: 'smoke',
      result: 'Passed',
      message: 'ok',
    },
  ]);
  // The same answer in status.results and in memory is one fact.
  p.status = {
    results: [
      {
        application: 'web',
        version: '1.3.0',
        outcome: 'Promoted',
        gates: [{ name: 'smoke', result: 'Passed', message: 'ok' }],
      },
    ],
  };
  expect(gateFacts('web', [p], kept)).toHaveLength(1);
});
