import type { HistoryEntry } from '../api/application.js';
import { applicationSource, historyCloudEvent } from './cloudevent.js';

const entry: HistoryEntry & { id: string } = {
  id: 'a1b2c3d4e5f6a7b8c9d0',
  time: '2026-12-07T10:00:00Z',
  type: 'Deployed',
  environment: 'prod',
  target: 'prod-eu',
  to: '1.2.0',
  actor: 'alice@example.com',
};

test('a history entry is a CloudEvent 1.0 whose id is the entry id and whose data is the entry', () => {
  const event = historyCloudEvent({ namespace: 'team-a', name: 'core' }, entry);
  expect(event).toEqual({
    specversion: '1.0',
    id: 'a1b2c3d4e5f6a7b8c9d0',
    source: '/apis/depot.sh/v1alpha1/namespaces/team-a/applications/core',
    type: 'sh.depot.Deployed',
    subject: 'prod/prod-eu',
    time: '2026-12-07T10:00:00Z',
    datacontenttype: 'application/json',
    depotnamespace: 'team-a',
    depotapplication: 'core',
    data: entry,
  });
  // Extension attribute names: lowercase letters and digits, at most 20 characters (CloudEvents 1.0).
  for (const name of Object.keys(event)) expect(name).toMatch(/^[a-z0-9]{1,20}$/);
});

test('the subject is the environment, or nothing for entries about every environment', () => {
  const base = { id: entry.id, time: entry.time, to: '1.2.0' };
  const requested = { ...base, type: 'Requested' as const, environment: 'prod' };
  expect(historyCloudEvent({ namespace: 'n', name: 'a' }, requested).subject).toBe('prod');
  const rejected = { ...base, type: 'Rejected' as const };
  expect(historyCloudEvent({ namespace: 'n', name: 'a' }, rejected)).not.toHaveProperty('subject');
});

test('the source names the Application: two namespaces never share one', () => {
  expect(applicationSource({ namespace: 'a', name: 'core' })).not.toBe(
    applicationSource({ namespace: 'b', name: 'core' }),
  );
});
