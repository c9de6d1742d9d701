// How a parser's time grows with its input: the best-of-N time for a large
// input over the best-of-N time for a small one (a ratio, so a busy machine
// slows both alike). Each run goes through node:vm with a timeout, so a
// catastrophic regular expression fails the check instead of hanging it.
import vm from 'node:vm';

export interface GrowthOptions {
  /** Interleaved samples per size; the best of them counts. */
  samples?: number;
  /** The ratio above which the large input is reported as too slow. */
  maxRatio?: number;
  /** How long one sample of the small input may take before it counts as hopeless (ms). */
  smallTimeoutMs?: number;
}

export interface Growth {
  /** best(large) / best(small); Infinity when a run was cut off. */
  ratio: number;
  /** ratio ≤ maxRatio (a failing `toMatchObject({ linear: true })` shows every field). */
  linear: boolean;
  smallMs: number;
  largeMs: number;
  /** Why the ratio is Infinity, if it is. */
  cutOff?: string;
}

/**
 * Times `parse` on `small` and `large`, interleaved. A large sample is cut
 * off once it takes more than 4 × maxRatio × the best small sample, so the
 * check ends quickly (and fails) for a super-linear parser.
 */
export function measureGrowth(
  parse: (input: string) => unknown,
  small: string,
  large: string,
  opts: GrowthOptions = {},
): Growth {
  const samples = opts.samples ?? 41;
  const maxRatio = opts.maxRatio ?? 20;
  const smallTimeoutMs = opts.smallTimeoutMs ?? 5_000;
  // One context for every run (creating one per run makes garbage that skews the times).
  const context = vm.createContext({ parse, input: '', repeat: 1, now: () => performance.now() });
  const run = new vm.Script(
    '{ const start = now(); for (let i = 0; i < repeat; i++) parse(input); now() - start; }',
  );
  const timed = (input: string, repeat: number, timeoutMs: number): number | undefined => {
    Object.assign(context, { input, repeat });
    try {
      return run.runInContext(context, { timeout: Math.max(1, Math.ceil(timeoutMs)) }) as number;
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return undefined;
      throw err;
    }
  };
  const first = timed(small, 1, smallTimeoutMs);
  if (first === undefined)
    return {
      ratio: Infinity,
      linear: false,
      smallMs: Infinity,
      largeMs: Infinity,
      cutOff: `the ${small.length}-character input took over ${smallTimeoutMs} ms`,
    };
  // Short samples (about 0.5 ms each, for either size): on a busy machine a
  // long sample is more often interrupted by other processes than a short one.
  const repeatSmall = Math.max(1, Math.round(0.5 / Math.max(first, 0.0005)));
  const repeatLarge = Math.max(1, Math.round(repeatSmall / 10));
  let smallMs = Infinity;
  let largeMs = Infinity;
  for (let i = 0; i < samples; i++) {
    const s = timed(small, repeatSmall, smallTimeoutMs * repeatSmall);
    if (s !== undefined) smallMs = Math.min(smallMs, s / repeatSmall);
    // Cut off well past the ratio (a slow sample then counts as too slow; it is, whatever the noise).
    const l = timed(large, repeatLarge, Math.min((4 * maxRatio * smallMs + 1) * repeatLarge + 20, 60_000));
    if (l !== undefined) largeMs = Math.min(largeMs, l / repeatLarge);
  }
  const ratio = largeMs / smallMs;
  return {
    ratio,
    linear: ratio <= maxRatio,
    smallMs,
    largeMs,
    ...(Number.isFinite(largeMs)
      ? {}
      : {
          cutOff: `every run of the ${large.length}-character input took over ${4 * maxRatio} × the small one`,
        }),
  };
}

/** `unit` repeated up to `length` characters, then `tail` (an adversarial input). */
export function repeatTo(unit: string, length: number, tail = ''): string {
  const body = unit.repeat(Math.ceil((length - tail.length) / unit.length)).slice(0, length - tail.length);
  return body + tail;
}

/** The growth from 1,000 to 10,000 characters of `unit` repeated, then `tail` (the ratio). */
export function growthOfRepeated(
  parse: (input: string) => unknown,
  unit: string,
  tail = '',
  opts?: GrowthOptions,
): Growth {
  return measureGrowth(parse, repeatTo(unit, 1_000, tail), repeatTo(unit, 10_000, tail), opts);
}
