import type { HistoryEntry } from './contract.js';
import { filterHistory, historyFacets } from './history.js';

const e = (type: HistoryEntry['type'], environment?: string, actor?: string): HistoryEntry => ({
  time: '2026-12-07T10:00:00Z',
  type,
  ...(environment ? { environment } : {}),
  ...(actor ? { actor } : {}),
});
const entries = [
  e('Requested', 'dev', 'alice@example.com'),
  e('Promoted', 'prod', 'promotion/to-prod'),
  e('Rejected'),
];

describe('filterHistory', () => {
  it('filters by environment, type and part of the actor, all together', () => {
    const all = { environment: '', type: '', actor: '' };
    expect(filterHistory(entries, all)).toHaveLength(3);
    expect(filterHistory(entries, { ...all, environment: 'prod' })).toEqual([entries[1]]);
    expect(filterHistory(entries, { ...all, type: 'Rejected' })).toEqual([entries[2]]);
    expect(filterHistory(entries, { ...all, actor: ' ALICE ' })).toEqual([entries[0]]);
    expect(filterHistory(entries, { environment: 'dev', type: 'Promoted', actor: '' })).toEqual([]);
  });
  it('offers the environments and types present', () => {
    expect(historyFacets(entries)).toEqual({
      environments: ['dev', 'prod'],
      types: ['Promoted', 'Rejected', 'Requested'],
    });
  });
});
