import { knownVersions } from './known-versions.js';
import { versionsOf } from '../versions.js';

const now = new Date('2026-11-20T12:00:00Z');

describe('known versions', () => {
  test('requested, promoted and deployed versions, once each, newest first, with when and where', () => {
    const first = knownVersions({
      versions: versionsOf('semver'),
      previous: undefined,
      added: [
        { time: '2026-11-20T11:00:00.000Z', type: 'Requested', environment: 'dev', to: '1.11.0' },
        { time: '2026-11-20T11:30:00.000Z', type: 'Promoted', environment: 'prod', to: '1.11.0' },
        {
          time: '2026-11-20T11:40:00.000Z',
          type: 'Deployed',
          environment: 'dev',
          target: 'dev-1',
          to: 'v1.12.0',
        },
        { time: '2026-11-20T11:50:00.000Z', type: 'Blocked', environment: 'dev', to: '9.9.9' },
      ],
      environments: [{ name: 'staging', requested: '1.10.2' }],
      targets: [],
      now,
    });
    expect(first).toEqual([
      {
        version: 'v1.12.0',
        firstSeen: '2026-11-20T11:40:00.000Z',
        via: 'Deployed',
        environment: 'dev',
        target: 'dev-1',
      },
      { version: '1.11.0', firstSeen: '2026-11-20T11:00:00.000Z', via: 'Requested', environment: 'dev' },
      { version: '1.10.2', firstSeen: now.toISOString(), via: 'Requested', environment: 'staging' },
    ]);
    // Seen again: nothing changes (a converged application writes nothing).
    const again = knownVersions({
      versions: versionsOf('semver'),
      previous: first,
      added: [{ time: '2026-11-21T00:00:00.000Z', type: 'Requested', environment: 'qa', to: '1.12.0' }],
      environments: [{ name: 'staging', requested: '1.10.2' }],
      targets: [{ name: 'dev-1', environment: 'dev', deployed: 'v1.12.0' }],
      now: new Date('2026-11-22T00:00:00Z'),
    });
    expect(again).toEqual(first);
  });

  test('bounded: the oldest versions fall off', () => {
    const added = Array.from({ length: 60 }, (_, i) => ({
      time: now.toISOString(),
      type: 'Requested' as const,
      environment: 'dev',
      to: `1.${i}.0`,
    }));
    const list = knownVersions({
      versions: versionsOf('semver'),
      previous: undefined,
      added,
      environments: [],
      targets: [],
      now,
    });
    expect(list).toHaveLength(50);
    expect(list[0]!.version).toBe('1.59.0');
    expect(list.at(-1)!.version).toBe('1.10.0');
  });

  test('opaque versions: most recently first seen first', () => {
    const list = knownVersions({
      versions: versionsOf('opaque'),
      previous: undefined,
      added: [
        { time: '2026-11-20T10:00:00.000Z', type: 'Requested', environment: 'dev', to: 'build-b' },
        { time: '2026-11-20T11:00:00.000Z', type: 'Requested', environment: 'dev', to: 'build-a' },
      ],
      environments: [],
      targets: [],
      now,
    });
    expect(list.map((k) => k.version)).toEqual(['build-a', 'build-b']);
  });
});
