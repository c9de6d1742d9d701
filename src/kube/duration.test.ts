import { formatDuration, parseDuration } from './duration.js';

test.each([
  ['90s', 90_000],
  ['24h', 86_400_000],
  ['1h30m', 5_400_000],
  ['1.5h', 5_400_000],
  ['250ms', 250],
  ['0', 0],
])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

test.each(['', '10', '1d', '-5s', '5 s', 'h'])('"%s" is rejected with the text', (text) => {
  expect(() => parseDuration(text)).toThrow(/duration/);
});

test('formatDuration keeps the two largest units', () => {
  expect(formatDuration(5_400_000)).toBe('1h30m');
  expect(formatDuration(90_061_000)).toBe('1d1h');
  expect(formatDuration(45_000)).toBe('45s');
});

describe('out-of-range durations', () => {
  // Go's time.Duration is an int64 of nanoseconds: 2562047h47m16.854775807s at most.
  test('the longest Go duration parses', () => {
    expect(parseDuration('2562047h')).toBe(2_562_047 * 3_600_000);
  });

  test.each(['2562048h', '2400000000h', '9'.repeat(30) + 'h', '2562047h2562047h'])(
    '"%s" is refused with a message saying what the limit is',
    (text) => {
      expect(() => parseDuration(text)).toThrow(/longer than the longest duration \(2562047h\)/);
    },
  );

  test('the longest duration still gives a valid date from any present time', () => {
    const now = Date.UTC(2100, 0, 1);
    expect(new Date(now + parseDuration('2562047h')).toISOString()).toBe('2392-04-11T23:00:00.000Z');
  });
});
