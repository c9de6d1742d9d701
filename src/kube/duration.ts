// Go-style durations (`90s`, `24h`, `1h30m`, `1.5h`) as used by Promotion.after
// and freeze windows, in milliseconds.
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};
const PART = /([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/y;
/**
 * Go's time.Duration is an int64 of nanoseconds (2562047h47m16.854775807s), so
 * Go, and the API server's CEL, refuse anything longer; so does Depot, rather
 * than add an unbounded number to a date (past 2.4e9h it is an invalid date).
 */
export const MAX_DURATION_MS = 9_223_372_036_854;

/** Milliseconds of a Go duration; throws with the offending text when it is not one. */
export function parseDuration(text: string): number {
  if (text === '0') return 0;
  let total = 0;
  let pos = 0;
  PART.lastIndex = 0;
  while (pos < text.length) {
    PART.lastIndex = pos;
    const m = PART.exec(text);
    if (!m) throw new Error(`"${text}" is not a Go duration such as "90s", "24h" or "1h30m"`);
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    pos = PART.lastIndex;
  }
  if (text.length === 0) throw new Error('an empty string is not a duration');
  if (total > MAX_DURATION_MS) throw new Error(`"${text}" is longer than the longest duration (2562047h)`);
  return Math.round(total);
}

/** Compact human form for messages: 1h30m, 45s, 2d3h. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  let s = Math.round(ms / 1000);
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const parts = [d && `${d}d`, h && `${h}h`, m && `${m}m`, s && `${s}s`].filter(Boolean);
  return parts.slice(0, 2).join('');
}
