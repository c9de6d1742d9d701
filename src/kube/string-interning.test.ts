import { StringTable, internStrings } from './string-interning.js';

const parsed = (n: number) =>
  JSON.parse(
    JSON.stringify({
      metadata: {
        name: `app-${n}`,
        uid: `uid-0000-${n}`,
        labels: { 'team.example.com/owner': 'platform-team' },
      },
      spec: { versions: { dev: '1.0.0' }, url: 'https://example.com/shared-url' },
      status: {
        conditions: [{ type: 'Ready', reason: 'Resolved', message: '3 environments, 6 targets' }],
        history: [{ id: `entry-id-${n}`, message: 'dev requested 1.0.0 by ci-bot' }],
      },
    }),
  ) as {
    metadata: { uid: string; labels: Record<string, string> };
    spec: { url: string; versions: Record<string, string> };
    status: { conditions: { message: string }[]; history: { id: string; message: string }[] };
  };

test('equal strings of different objects become one instance; values are unchanged', () => {
  const table = new StringTable();
  const a = parsed(1);
  const b = parsed(2);
  const before = JSON.stringify(b);
  internStrings(a, table);
  internStrings(b, table);
  expect(JSON.stringify(b)).toBe(before);
  // Same value either way; what the table adds is that later objects reuse the first one's strings.
  expect(b.status.conditions[0]!.message).toBe(a.status.conditions[0]!.message);
  expect(b.spec.url).toBe(a.spec.url);
  expect(b.metadata.labels['team.example.com/owner']).toBe('platform-team');
  // uid and history ids are unique per object: never put in the table.
  // The url, the label value, the condition's reason and message, the history message.
  expect(table.size).toBe(5);
});

test('the table is bounded: it starts over when full, and what objects hold stays as it was', () => {
  const table = new StringTable(3);
  const strings = ['first string', 'second string', 'third string', 'fourth string'];
  for (const s of strings) table.intern(s);
  expect(table.size).toBe(1);
  expect(table.intern('fourth string')).toBe('fourth string');
  expect(table.intern('short')).toBe('short');
  expect(table.size).toBe(1);
});
