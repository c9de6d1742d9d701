// How `depot operator` and `depot agent` run Node.js (bin/depot.js applies it
// with process.execve before anything else is loaded; the process ID stays).
// They run for long and cache many long-lived objects, so:
// - 16 MiB young-generation semi-spaces: V8 sizes them from the machine's
//   memory (64 MiB semi-spaces, 128 MiB resident, on a 24 GB machine) and a
//   cache of long-lived objects gains nothing from that;
// - the old space grows by at most 25% over what survived a full GC: by its
//   own heuristics V8 let it grow to twice the live data after the
//   convergence burst of 10,000 Applications, and kept it;
// - under a container memory limit, the old space may use the limit less a
//   reserve for what is not V8 heap (code, young generation, buffers, malloc):
//   V8 alone would stop at a quarter of the limit and fail with "heap out of
//   memory" long before the container is full;
// - at most 2 glibc malloc arenas (MALLOC_ARENA_MAX): glibc keeps one per
//   thread that ever allocated, and each keeps what a burst freed.
// Each is left alone when the command line, NODE_OPTIONS or the environment
// already sets it (bench/README.md, memory_10k).
import { readFileSync } from 'node:fs';

export const SEMI_SPACE_MIB = 16;
/** After a full GC the old space may grow to this much above what survived (V8's own factor goes up to 300%). */
export const HEAP_GROWING_PERCENT = 25;
export const MALLOC_ARENAS = 2;
/** The old space's share of a container memory limit ... */
export const OLD_SPACE_SHARE = 0.75;
/** ... leaving at least this much for everything else. */
export const NON_HEAP_RESERVE_MIB = 160;
const MIN_OLD_SPACE_MIB = 64;
const MIB = 2 ** 20;

export interface NodeTuningInput {
  /** process.execArgv and NODE_OPTIONS, as they are. */
  execArgv: readonly string[];
  nodeOptions?: string;
  env: Readonly<Record<string, string | undefined>>;
  /** The container's memory limit in bytes (cgroup), if any. */
  memoryLimitBytes?: number;
}

export interface NodeTuning {
  /** Node.js flags to add in front of the command line. */
  flags: string[];
  /** Environment variables to add. */
  env: Record<string, string>;
}

/** The old-space size in MiB for a container memory limit. */
export function oldSpaceMiB(limitBytes: number): number {
  const limitMiB = limitBytes / MIB;
  return Math.max(
    MIN_OLD_SPACE_MIB,
    Math.floor(Math.min(limitMiB * OLD_SPACE_SHARE, limitMiB - NON_HEAP_RESERVE_MIB)),
  );
}

export function nodeTuning(input: NodeTuningInput): NodeTuning {
  const given = `${input.execArgv.join(' ')} ${input.nodeOptions ?? ''}`;
  const has = (...flags: string[]) =>
    flags.some((f) => given.includes(f) || given.includes(`--${f.slice(2).replace(/-/g, '_')}`));
  const flags: string[] = [];
  if (!has('--max-semi-space-size')) flags.push(`--max-semi-space-size=${SEMI_SPACE_MIB}`);
  if (!has('--heap-growing-percent')) flags.push(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  if (input.memoryLimitBytes !== undefined && !has('--max-old-space-size', '--max-heap-size'))
    flags.push(`--max-old-space-size=${oldSpaceMiB(input.memoryLimitBytes)}`);
  const env: Record<string, string> = {};
  if (input.env.MALLOC_ARENA_MAX === undefined) env.MALLOC_ARENA_MAX = String(MALLOC_ARENAS);
  return { flags, env };
}

/** No limit is written as "max" (cgroup v2) or a huge number (cgroup v1). */
const UNLIMITED_BYTES = 2 ** 60;

/** The memory limit of this process's cgroup in bytes (v2, then v1), or undefined when there is none. */
export function cgroupMemoryLimit(
  read: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): number | undefined {
  for (const path of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    let text: string;
    try {
      text = read(path).trim();
    } catch {
      continue;
    }
    const bytes = Number(text);
    return Number.isFinite(bytes) && bytes > 0 && bytes < UNLIMITED_BYTES ? bytes : undefined;
  }
  return undefined;
}
