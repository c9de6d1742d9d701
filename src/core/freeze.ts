// Freeze windows: whether an environment is frozen at a given time, and until when.
import type { Freeze } from '../api/environment.js';
import { parseDuration } from '../kube/duration.js';
import { nextRun, previousRun } from './schedule.js';

export type FreezeState =
  { frozen: false; nextStart?: Date } | { frozen: true; until?: Date; message: string };

/**
 * Frozen when enabled with no windows (until disabled), or inside a window:
 * [a scheduled start, start + duration). Overlapping windows extend each other.
 */
export function freezeState(freeze: Freeze | undefined, now: Date): FreezeState {
  if (!freeze?.enabled) return { frozen: false };
  const windows = freeze.windows ?? [];
  if (windows.length === 0)
    return { frozen: true, message: 'frozen until spec.freeze.enabled is set to false' };

  let until: Date | undefined;
  let nextStart: Date | undefined;
  // Chained windows: a window that starts before the current one ends extends it.
  for (let probe = now, guard = 0; guard < 32; guard++) {
    let extended = false;
    for (const w of windows) {
      const start = previousRun(w.schedule, w.timeZone ?? 'UTC', probe);
      if (!start) continue;
      const end = new Date(start.getTime() + parseDuration(w.duration));
      if (end > probe && (!until || end > until)) {
        until = end;
        extended = true;
      }
    }
    if (!extended || !until) break;
    probe = until;
  }
  if (until) return { frozen: true, until, message: `frozen until ${until.toISOString()}` };
  for (const w of windows) {
    const start = nextRun(w.schedule, w.timeZone ?? 'UTC', now);
    if (!nextStart || start < nextStart) nextStart = start;
  }
  return { frozen: false, nextStart };
}
