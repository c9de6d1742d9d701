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
 * Times `parse` on `small` and `large`. A large sample is cut off once it
 * takes more than maxRatio × the best small sample, so the check ends quickly
 * (and fails) for a super-linear parser.
 */
export function measureGrowth(
  parse: (input: string) => unknown,
  small: string,
  large: string,
  opts: GrowthOptions = {},
): Growth {
  const samples = opts.samples ?? 15;
  const maxRatio = opts.maxRatio ?? 20;
  const smallTimeoutMs = opts.smallTimeoutMs ?? 5_000;
  // Repeat a fast parse so that one sample lasts long enough to time (≥ 2 ms).
  const timed = (input: string, repeat: number, timeoutMs: number): number | undefined => {
    const context = vm.createContext({
      run: () => {
        const start = performance.now();
        for (let i = 0; i < repeat; i++) parse(input);
        return performance.now() - start;
      },
    });
    try {
      return vm.runInContext('run()', context, { timeout: Math.max(1, Math.ceil(timeoutMs)) }) as number;
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
  const repeat = Math.max(1, Math.ceil(2 / Math.max(first, 0.001)));
  let smallMs = Infinity;
  let largeMs = Infinity;
  for (let i = 0; i < samples; i++) {
    const s = timed(small, repeat, smallTimeoutMs * repeat);
    if (s === undefined) continue;
    smallMs = Math.min(smallMs, s);
    // Cut off where the ratio is exceeded anyway (with 1 ms for the vm's own work).
    const l = timed(large, repeat, maxRatio * smallMs + 1);
    if (l !== undefined) largeMs = Math.min(largeMs, l);
  }
  const ratio = largeMs / smallMs;
  return {
    ratio,
    linear: ratio <= maxRatio,
    smallMs: smallMs / repeat,
    largeMs: largeMs / repeat,
    ...(Number.isFinite(largeMs)
      ? {}
      : { cutOff: `every run of the ${large.length}-character input took over ${maxRatio} × the small one` }),
  };
}

/** `unit` repeated up to `length` characters, then `tail` (an adversarial input). */
export function repeatTo(unit: string, length: number, tail = ''): string {
  const body = unit.repeat(Math.ceil((length - tail.length) / unit.length)).slice(0, length - tail.length);
  return body + tail;
}
