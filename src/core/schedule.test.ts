import type { Environment } from '../api/environment.js';
import { API_VERSION, kindByName } from '../api/index.js';
import type { Promotion } from '../api/promotion.js';
import { INVALID_CASES, VALID_CASES } from '../../test/fixtures/admission-cases.js';
import {
  freezeScheduleProblems,
  nextRun,
  previousRun,
  promotionScheduleProblems,
  scheduleProblems,
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
    expect(scheduleProblems('0 9 * * *', 'Mars/Olympus')).toEqual([
      { path: 'timeZone', message: '"Mars/Olympus" is not a known IANA time zone' },
    ]);
    expect(scheduleProblems('61 9 * * *', 'UTC')).toEqual([
      {
        path: 'schedule',
        message: expect.stringMatching(/^"61 9 \* \* \*" is not a valid cron schedule: /),
      },
    ]);
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
        path: 'schedule',
        message: '"0 0 30 2 *" is not a valid cron schedule: it never fires (no month it names has that day)',
      },
    ]);
  });
});

/** Every scheduled time in [from, to), by repeated nextRun: what actually runs. */
function runsBetween(schedule: string, timeZone: string, from: string, to: string): string[] {
  const runs: string[] = [];
  for (
    let t = nextRun(schedule, timeZone, new Date(from));
    t < new Date(to);
    t = nextRun(schedule, timeZone, t)
  )
    runs.push(t.toISOString());
  return runs;
}

describe('schedules across daylight-saving changes (wall-clock times, each run once)', () => {
  // Europe/Berlin: 2026-03-29 02:00 CET → 03:00 CEST (01:00Z); 2026-10-25 03:00 CEST → 02:00 CET (01:00Z).
  test('spring gap: a time that does not exist runs once, as late as the gap is long', () => {
    expect(runsBetween('30 2 * * *', 'Europe/Berlin', '2026-03-28T00:00Z', '2026-03-31T00:00Z')).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:30:00.000Z', // 02:30 CET does not exist: 03:30 CEST
      '2026-03-30T00:30:00.000Z',
    ]);
    expect(runsBetween('*/30 * * * *', 'Europe/Berlin', '2026-03-29T00:00Z', '2026-03-29T02:00Z')).toEqual([
      '2026-03-29T00:30:00.000Z', // 01:30 CET
      '2026-03-29T01:00:00.000Z', // 02:00 CET does not exist → 03:00 CEST, once with 03:00 itself
      '2026-03-29T01:30:00.000Z',
    ]);
  });

  test('autumn repeat: the repeated hour runs once, at its first occurrence', () => {
    expect(runsBetween('30 2 * * *', 'Europe/Berlin', '2026-10-24T00:00Z', '2026-10-27T00:00Z')).toEqual([
      '2026-10-24T00:30:00.000Z',
      '2026-10-25T00:30:00.000Z', // 02:30 CEST; not again at 02:30 CET
      '2026-10-26T01:30:00.000Z',
    ]);
    expect(runsBetween('0 * * * *', 'Europe/Berlin', '2026-10-24T22:30Z', '2026-10-25T02:30Z')).toEqual([
      '2026-10-24T23:00:00.000Z', // 01:00 CEST
      '2026-10-25T00:00:00.000Z', // 02:00 CEST; 02:00 CET (01:00Z) is the repeat
      '2026-10-25T02:00:00.000Z', // 03:00 CET
    ]);
    // New York repeats 01:00–02:00 on 2026-11-01 (05:00Z EDT, 06:00Z EST).
    expect(runsBetween('*/20 1 * * *', 'America/New_York', '2026-11-01T04:00Z', '2026-11-01T08:00Z')).toEqual(
      ['2026-11-01T05:00:00.000Z', '2026-11-01T05:20:00.000Z', '2026-11-01T05:40:00.000Z'],
    );
  });

  test('a 30-minute change (Lord Howe) neither fails nor runs twice', () => {
    // 2026-04-05 02:00 +11 → 01:30 +10:30 (15:00Z): 01:30–02:00 repeats.
    expect(
      runsBetween('45 1 * * *', 'Australia/Lord_Howe', '2026-04-03T12:00Z', '2026-04-06T12:00Z'),
    ).toEqual(['2026-04-03T14:45:00.000Z', '2026-04-04T14:45:00.000Z', '2026-04-05T15:15:00.000Z']);
    expect(runsBetween('0 2 * * *', 'Australia/Lord_Howe', '2026-04-04T12:00Z', '2026-04-05T12:00Z')).toEqual(
      ['2026-04-04T15:30:00.000Z'],
    );
  });

  const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'America/Santiago', 'UTC'];
  const schedules = ['0 2 * * *', '30 1 * * *', '*/15 * * * *', '0 0 * * *', '45 2 * * 0'];
  const changes = [
    '2026-03-28T00:00Z',
    '2026-04-04T00:00Z',
    '2026-09-05T00:00Z',
    '2026-10-24T00:00Z',
    '2026-10-31T00:00Z',
  ];
  test.each(zones.flatMap((z) => schedules.map((s) => [z, s] as const)))(
    '%s "%s": the next run announced is the run that happens (nextRun and previousRun agree)',
    (zone, schedule) => {
      for (const start of changes) {
        const end = new Date(Date.parse(start) + 3 * 86_400_000).toISOString();
        const runs = runsBetween(schedule, zone, start, end);
        expect(new Set(runs).size).toBe(runs.length);
        for (const [i, run] of runs.entries()) {
          const at = new Date(run);
          expect(previousRun(schedule, zone, at)?.toISOString()).toBe(run);
          if (i > 0) {
            expect(previousRun(schedule, zone, new Date(at.getTime() - 1))?.toISOString()).toBe(runs[i - 1]);
            // Between two runs, whenever the promotion looks, it announces the same next run.
            const between = new Date((Date.parse(runs[i - 1]!) + at.getTime()) / 2);
            expect(nextRun(schedule, zone, between).toISOString()).toBe(run);
          }
        }
      }
    },
  );
});
