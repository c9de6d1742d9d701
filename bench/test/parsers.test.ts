import { parseHelpDefaults } from '../operator-defaults.js';
import { parseMachineCpu, parseProcStatCpuSeconds, parseProcStatus } from '../proc.js';
import { parseOptions } from '../options.js';
import { nextFiring } from '../scenarios/promotion.js';
import { spread } from '../scenarios/latency.js';
import { touchedStatus } from '../scenarios/baseline.js';

test("the operator's defaults from its --help, wrapped descriptions included", () => {
  const help = `Options:
  --workers <n>                     concurrent reconciles per controller
                                    (default: 2)
  --resync-period <duration>        re-queue every object this often (0 = never)
                                    (default: 10m)
  --no-leader-elect                 run without leader election (only with a
                                    single replica)
  --log-level <level>               log level (choices: "fatal", "error",
                                    "warn", "info", "debug", "trace", "silent",
                                    default: "info")
  -h, --help                        display help for command`;
  expect(parseHelpDefaults(help)).toEqual({
    '--workers': '2',
    '--resync-period': '10m',
    '--log-level': 'info',
  });
});

test('/proc: resident memory and CPU seconds', () => {
  expect(parseProcStatus('Name:\tnode\nVmHWM:\t  409600 kB\nVmRSS:\t  307200 kB\n')).toEqual({
    rss_mib: 300,
    peak_rss_mib: 400,
  });
  const stat = '4242 (node (depot) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 11 0 1 2 3';
  expect(parseProcStatCpuSeconds(stat)).toBe(3);
});

test("/proc/stat: the machine's busy CPU seconds leave out idle and iowait", () => {
  // user nice system idle iowait irq softirq steal
  const text = 'cpu  100 20 30 500 50 5 5 0 0 0\ncpu0 50 10 15 250 25 2 3 0 0 0\n';
  expect(parseMachineCpu(text)).toEqual({ busy: 1.6, total: 7.1 });
  expect(() => parseMachineCpu('intr 1 2 3\n')).toThrow('no cpu line');
});

test('a Promotion fires at the first whole minute at least 10 s ahead (UTC cron)', () => {
  expect(nextFiring(new Date('2026-11-24T10:15:30Z'))).toEqual({
    at: new Date('2026-11-24T10:16:00Z'),
    schedule: '16 10 * * *',
  });
  expect(nextFiring(new Date('2026-11-24T23:59:45Z')).schedule).toBe('0 0 * * *');
  // 00:00 is only 5 s ahead: the next minute.
  expect(nextFiring(new Date('2026-11-24T23:59:55Z')).schedule).toBe('1 0 * * *');
});

test('latency changes are spread over the namespace; baseline patches change the status', () => {
  expect(spread(['a', 'b', 'c', 'd', 'e', 'f'], 3)).toEqual(['a', 'c', 'e']);
  expect(spread(['a'], 3)).toEqual(['a']);
  const status = {
    conditions: [{ type: 'Ready', lastTransitionTime: '2026-01-01T00:00:00Z' }],
    history: [1, 2],
  };
  expect(touchedStatus(status, '2026-11-24T00:00:00Z')).toEqual({
    conditions: [{ type: 'Ready', lastTransitionTime: '2026-11-24T00:00:00Z' }],
    history: [1, 2],
  });
  expect(touchedStatus({ observedGeneration: 3 }, 'x')).toEqual({ observedGeneration: 4 });
});

test('options: the kind of run says whether its figures are the ones to publish', () => {
  const keys = ['converge_1k', 'baseline_1k'];
  expect(parseOptions([], keys)).toMatchObject({ kind: 'full', apps: 1000, memoryApps: 10000 });
  expect(parseOptions(['--quick'], keys)).toMatchObject({
    kind: 'quick',
    apps: 100,
    memoryApps: 1000,
    out: 'bench/results/quick.json',
  });
  expect(parseOptions(['--apps', '20'], keys)).toMatchObject({ kind: 'custom', memoryApps: 200 });
  expect(parseOptions(['--only', 'converge_1k'], keys)).toMatchObject({
    kind: 'custom',
    only: ['converge_1k'],
  });
  expect(() => parseOptions(['--only', 'converge_1k,nope'], keys)).toThrow('--only nope: no such scenario');
  expect(() => parseOptions(['--apps', '0'], keys)).toThrow('--apps 0: must be a positive integer');
});
