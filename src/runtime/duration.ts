// Go-style durations for flags ("15s", "1m30s", "250ms", "2h"), as Kubernetes
// tools take them.
const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(text: string): number {
  const input = text.trim();
  if (input === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;
  let total = 0;
  let pos = 0;
  while (pos < input.length) {
    re.lastIndex = pos;
    const m = re.exec(input);
    if (!m)
      throw new Error(`invalid duration "${text}": use a number with a unit, e.g. 500ms, 15s, 1m30s, 2h`);
    total += Number(m[1]) * units[m[2]!]!;
    pos = re.lastIndex;
  }
  if (pos === 0)
    throw new Error(`invalid duration "${text}": use a number with a unit, e.g. 500ms, 15s, 1m30s, 2h`);
  return Math.round(total);
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
