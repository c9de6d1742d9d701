// What /proc says about a process: resident memory (VmRSS, and its peak
// VmHWM) and CPU time, for the operator, kube-apiserver and etcd alike.
import { readFileSync } from 'node:fs';

export interface ProcessMemory {
  rss_mib: number;
  /** The peak resident set size since the process started. */
  peak_rss_mib: number;
}

/** VmRSS and VmHWM (in kB) of /proc/<pid>/status, in MiB. */
export function parseProcStatus(text: string): ProcessMemory {
  const kb = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    if (!m) throw new Error(`/proc status has no ${field}`);
    return Number(m[1]);
  };
  return { rss_mib: round1(kb('VmRSS') / 1024), peak_rss_mib: round1(kb('VmHWM') / 1024) };
}

/** User + system CPU seconds from /proc/<pid>/stat (fields 14 and 15, in clock ticks). */
export function parseProcStatCpuSeconds(text: string, ticksPerSecond = 100): number {
  // The command name (field 2) may contain spaces and parentheses: split after the last ")".
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so field n is fields[n - 3].
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('unreadable /proc stat line');
  return (utime + stime) / ticksPerSecond;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** Memory of a running process; undefined when it is gone. */
export function processMemory(pid: number): ProcessMemory | undefined {
  try {
    return parseProcStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** CPU seconds a running process used so far; undefined when it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    return parseProcStatCpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Busy and total CPU seconds of the whole machine so far (/proc/stat's first line; idle and iowait are not busy). */
export function machineCpuSeconds(ticksPerSecond = 100): { busy: number; total: number } | undefined {
  try {
    return parseMachineCpu(readFileSync('/proc/stat', 'utf8'), ticksPerSecond);
  } catch {
    return undefined;
  }
}

export function parseMachineCpu(text: string, ticksPerSecond = 100): { busy: number; total: number } {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('/proc/stat has no cpu line');
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (ticks.length < 5 || ticks.some((t) => !Number.isFinite(t)))
    throw new Error('unreadable /proc/stat cpu line');
  const total = ticks.reduce((a, b) => a + b, 0);
  const idle = ticks[3]! + ticks[4]!; // idle + iowait
  return { busy: (total - idle) / ticksPerSecond, total: total / ticksPerSecond };
}
