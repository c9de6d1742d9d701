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
