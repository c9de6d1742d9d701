import type { Environment } from '../api/environment.js';
import { API_VERSION, kindByName } from '../api/index.js';
import type { Promotion } from '../api/promotion.js';
import { INVALID_CASES, VALID_CASES } from '../api/testing/admission-cases.js';
import {
  freezeScheduleProblems,
  nextRun,
  previousRun,
  promotionScheduleProblems,
  scheduleProblems,
  validateSchedule,
} from './schedule.js';
import { validateSources } from './validate/validate.js';

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
    expect(() => validateSchedule('0 9 * * *', 'Mars/Olympus')).toThrow(
      'timeZone: "Mars/Olympus" is not a known IANA time zone',
    );
    expect(() => validateSchedule('61 9 * * *', 'UTC')).toThrow(
      /^schedule: "61 9 \* \* \*" is not a valid cron schedule: /,
    );
  });
});

describe('one validator: the operator and `depot validate` agree', () => {
  type Kind = 'Promotion' | 'Environment';
  interface Case {
    title: string;
    kind: Kind;
    spec: unknown;
  }
  const object = (kind: Kind, spec: unknown) => ({
    apiVersion: API_VERSION,
    kind,
    metadata: { name: 'x' },
    spec,
  });
  /** What the operator finds: the schema (as it parses every object), then the schedule check. */
  function operatorProblems({ kind, spec }: Case): string[] {
    const parsed = kindByName(kind)!.parse(object(kind, spec));
    if (!parsed.ok) return parsed.problems.map((p) => `${p.path}: ${p.message}`);
    const problems =
      kind === 'Promotion'
        ? promotionScheduleProblems((parsed.value as Promotion).spec)
        : freezeScheduleProblems((parsed.value as Environment).spec);
    return problems.map((p) => `${p.path}: ${p.message}`);
  }
  /** What `depot validate` finds in a file holding the object. */
  function offlineProblems({ kind, spec }: Case): string[] {
    const bytes = new TextEncoder().encode(JSON.stringify(object(kind, spec)));
    return validateSources([{ path: 'x.yaml', bytes }], { skipReferences: true }).problems.map(
      (p) => `${p.path}: ${p.message}`,
    );
  }
  const aboutSchedules = (c: { kind: string; field: string }) =>
    (c.kind === 'Promotion' || c.kind === 'Environment') && /schedule|timeZone/.test(c.field);
  const admission = INVALID_CASES.filter(aboutSchedules).map((c) => ({ ...c, kind: c.kind as Kind }));
  const promo = (extra: object) => ({ from: 'staging', to: 'prod', ...extra });
  const window = (w: object) => ({
    freeze: { enabled: true, windows: [{ schedule: '0 18 * * 5', duration: '1h', ...w }] },
  });
  const semantic: (Case & { field: string })[] = [
    {
      title: 'February 30',
      kind: 'Promotion',
      spec: promo({ schedule: '0 0 30 2 *' }),
      field: 'spec.schedule',
    },
    {
      title: 'the 31st of short months only',
      kind: 'Promotion',
      spec: promo({ schedule: '0 9 31 4,6,9,11 *' }),
      field: 'spec.schedule',
    },
    {
      title: 'a step of 0',
      kind: 'Promotion',
      spec: promo({ schedule: '*/0 * * * *' }),
      field: 'spec.schedule',
    },
    {
      title: 'an unknown time zone',
      kind: 'Promotion',
      spec: promo({ schedule: '0 9 * * *', timeZone: 'Mars/Olympus' }),
      field: 'spec.timeZone',
    },
    {
      title: 'a freeze window on February 30',
      kind: 'Environment',
      spec: window({ schedule: '0 0 30 2 *' }),
      field: 'spec.freeze.windows[0].schedule',
    },
    {
      title: 'a freeze window in an unknown time zone',
      kind: 'Environment',
      spec: window({ timeZone: 'Europe/Berlinn' }),
      field: 'spec.freeze.windows[0].timeZone',
    },
  ];

  test('the admission suite has schedule cases to compare', () => {
    expect(admission.length).toBeGreaterThanOrEqual(4);
  });

  test.each([...admission, ...semantic])('both reject $kind with $title, naming $field', (c) => {
    const operator = operatorProblems(c);
    const offline = offlineProblems(c);
    expect(operator.length).toBeGreaterThan(0);
    expect(offline).toEqual(operator);
    const field = 'zodPath' in c && c.zodPath ? c.zodPath : c.field;
    expect(operator.some((p) => p.startsWith(`${field}: `))).toBe(true);
  });

  const valid: Case[] = [
    ...VALID_CASES.filter((c) => c.kind === 'Promotion' || c.kind === 'Environment').map((c) => ({
      ...c,
      kind: c.kind as Kind,
    })),
    ...['@midnight', '@annually', '@yearly', '@hourly', '0 0 29 2 *', '0 0 30 2 1', '0 9 31 2,3 *'].map(
      (schedule) => ({ title: schedule, kind: 'Promotion' as const, spec: promo({ schedule }) }),
    ),
  ];
  test.each(valid)('both accept $kind with $title', (c) => {
    expect(operatorProblems(c)).toEqual([]);
    expect(offlineProblems(c)).toEqual([]);
  });

  test('a schedule that never fires says so', () => {
    expect(scheduleProblems('0 0 30 2 *', 'UTC')).toEqual([
      {
        field: 'schedule',
        message: '"0 0 30 2 *" is not a valid cron schedule: it never fires (no month it names has that day)',
      },
    ]);
  });
});
