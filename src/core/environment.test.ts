// The Environment's Ready says whether its freeze windows can be evaluated:
// whenever they cannot, requests into it are held back (fail closed, see
// core/application.ts), and the Environment must say so with Ready=False.
import { freezeState } from './freeze.js';
import { env } from './testing/builders.js';
import { environmentConditions } from './environment.js';

const window = (schedule: string, timeZone: string) => ({
  enabled: true,
  windows: [{ schedule, timeZone, duration: '1h' }],
});
const ready = (freeze: ReturnType<typeof window>, now: Date) =>
  environmentConditions(env('prod', freeze), now).conditions.find((c) => c.type === 'Ready');

// Lord Howe Island moves its clocks by 30 minutes. cron-parser once failed
// there ("loop limit exceeded"); schedules now follow wall-clock time and
// evaluate, so a window that fails is simulated with a failing evaluator.
const lordHowe = window('0 2 * * *', 'Australia/Lord_Howe');
const atTheChange = new Date('2026-04-04T00:00:00Z');
const failing = () => {
  throw new Error('loop limit exceeded');
};

test('Lord Howe around its clock change evaluates now', () => {
  expect(() => freezeState(lordHowe, atTheChange)).not.toThrow();
  expect(ready(lordHowe, atTheChange)).toMatchObject({ status: 'True' });
});

test('a window that cannot be evaluated now makes Ready=False with the reason', () => {
  const condition = environmentConditions(env('prod', lordHowe), atTheChange, failing).conditions.find(
    (c) => c.type === 'Ready',
  );
  expect(condition).toMatchObject({ status: 'False', reason: 'InvalidFreezeWindow' });
  expect(condition!.message).toMatch(
    /^spec\.freeze\.windows cannot be evaluated at 2026-04-04T00:00:00\.000Z: /,
  );
  expect(condition!.message).toContain('loop limit exceeded');
});

test('Ready is False exactly when the freeze cannot be evaluated, at any time of a year', () => {
  const zones = ['Australia/Lord_Howe', 'Europe/Berlin'];
  const schedules = ['0 2 * * *', '30 2 * * *'];
  const disagreements: string[] = [];
  for (const zone of zones)
    for (const schedule of schedules)
      for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 12 * 3_600_000) {
        const freeze = window(schedule, zone);
        const now = new Date(t);
        let evaluates = true;
        try {
          freezeState(freeze, now);
        } catch {
          evaluates = false;
        }
        let status: string | undefined;
        try {
          status = ready(freeze, now)?.status;
        } catch (err) {
          status = `threw ${(err as Error).message}`;
        }
        if (status !== (evaluates ? 'True' : 'False'))
          disagreements.push(`${zone} "${schedule}" at ${now.toISOString()}: Ready ${status}`);
      }
  expect(disagreements).toEqual([]);
});

test('an unusable window makes Frozen Unknown and is re-checked later (it may be usable then)', () => {
  const result = environmentConditions(env('prod', lordHowe), atTheChange, failing);
  expect(result.conditions.find((c) => c.type === 'Frozen')).toMatchObject({
    status: 'Unknown',
    reason: 'InvalidFreezeWindow',
  });
  expect(result.recheckAt!.getTime() - atTheChange.getTime()).toBeGreaterThan(0);
});
