import { freezeState } from './freeze.js';

const at = (iso: string) => new Date(iso);

describe('freezeState', () => {
  test('not enabled: never frozen', () => {
    expect(freezeState(undefined, at('2026-11-20T12:00:00Z')).frozen).toBe(false);
    expect(freezeState({ enabled: false, windows: [] }, at('2026-11-20T12:00:00Z')).frozen).toBe(false);
  });

  test('enabled without windows: frozen with no end', () => {
    const s = freezeState({ enabled: true }, at('2026-11-20T12:00:00Z'));
    expect(s).toEqual({ frozen: true, message: 'frozen until spec.freeze.enabled is set to false' });
  });

  // Friday 18:00 Berlin for 62h -> Monday 08:00 Berlin.
  const weekend = {
    enabled: true,
    windows: [{ schedule: '0 18 * * 5', duration: '62h', timeZone: 'Europe/Berlin' }],
  };

  test('inside a weekend window: frozen until its end', () => {
    const s = freezeState(weekend, at('2026-11-21T10:00:00Z')); // Saturday
    expect(s.frozen).toBe(true);
    expect(s.frozen && s.until?.toISOString()).toBe('2026-11-23T07:00:00.000Z'); // Monday 08:00 CET
  });

  test('outside: not frozen, with the next start', () => {
    const s = freezeState(weekend, at('2026-11-24T10:00:00Z')); // Tuesday
    expect(s.frozen).toBe(false);
    expect(!s.frozen && s.nextStart?.toISOString()).toBe('2026-11-27T17:00:00.000Z'); // Friday 18:00 CET
  });

  test('the window start is inclusive and the end exclusive', () => {
    expect(freezeState(weekend, at('2026-11-27T17:00:00Z')).frozen).toBe(true);
    expect(freezeState(weekend, at('2026-11-30T07:00:00Z')).frozen).toBe(false);
  });

  test('across the DST change the window is measured in real hours from local start', () => {
    // Friday 2026-10-23 18:00 CEST (16:00Z) + 62h = 2026-10-26 06:00Z (07:00 CET after the switch).
    const s = freezeState(weekend, at('2026-10-25T12:00:00Z'));
    expect(s.frozen && s.until?.toISOString()).toBe('2026-10-26T06:00:00.000Z');
  });

  test('overlapping windows chain', () => {
    const daily = {
      enabled: true,
      windows: [
        { schedule: '0 0 * * *', duration: '20h', timeZone: 'UTC' },
        { schedule: '0 18 * * *', duration: '8h', timeZone: 'UTC' },
      ],
    };
    const s = freezeState(daily, at('2026-11-20T10:00:00Z'));
    // 00:00-20:00, 18:00-02:00 next day, then 00:00-20:00 next day ... chains to the end of the guard or a gap.
    expect(s.frozen).toBe(true);
    expect(s.frozen && s.until!.getTime()).toBeGreaterThan(at('2026-11-21T02:00:00Z').getTime());
  });
});
