import { nextRun, previousRun, validateSchedule } from './schedule.js';

describe('schedule', () => {
  test('next run in a non-UTC zone across the spring DST change', () => {
    // 02:30 does not exist in Berlin on 2026-03-29; daily 03:00 local is 01:00Z after the switch.
    expect(nextRun('0 3 * * *', 'Europe/Berlin', new Date('2026-03-28T12:00:00Z')).toISOString()).toBe(
      '2026-03-29T01:00:00.000Z',
    );
    expect(nextRun('0 3 * * *', 'Europe/Berlin', new Date('2026-03-27T12:00:00Z')).toISOString()).toBe(
      '2026-03-28T02:00:00.000Z',
    );
  });

  test('previous run includes an exact hit', () => {
    const at = new Date('2026-11-20T09:00:00Z');
    expect(previousRun('0 9 * * *', 'UTC', at)?.toISOString()).toBe(at.toISOString());
    expect(previousRun('0 9 * * *', 'UTC', new Date('2026-11-20T08:59:59Z'))?.toISOString()).toBe(
      '2026-11-19T09:00:00.000Z',
    );
  });

  test('invalid schedules and zones are named', () => {
    expect(() => validateSchedule('0 9 * * *', 'Mars/Olympus')).toThrow('unknown time zone "Mars/Olympus"');
    expect(() => validateSchedule('61 9 * * *', 'UTC')).toThrow(/schedule "61 9 \* \* \*"/);
  });
});
