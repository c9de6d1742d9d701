import { shortTime } from './time.js';

describe('shortTime', () => {
  // Built from local components, so the test holds in any time zone.
  const now = new Date(2026, 11, 7, 17, 0);
  it('shows the time today, the day this year, the full date otherwise', () => {
    expect(shortTime(new Date(2026, 11, 7, 8, 5).toISOString(), now)).toBe('08:05');
    expect(shortTime(new Date(2026, 11, 8, 23, 59).toISOString(), now)).toBe('Dec 8, 23:59');
    expect(shortTime(new Date(2027, 0, 2, 8, 0).toISOString(), now)).toBe('2027-01-02 08:00');
  });
  it('returns what is not a time unchanged', () => {
    expect(shortTime('soon', now)).toBe('soon');
  });
});
