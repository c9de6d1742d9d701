// Reconnect delays: exponential from 0.5 s to 30 s, with jitter so that many
// pages reconnecting after an operator restart do not arrive together.
export const BACKOFF_MIN_MS = 500;
export const BACKOFF_MAX_MS = 30_000;

/** The delay before reconnect attempt `attempt` (0-based); `random` in [0, 1). */
export function backoffDelay(attempt: number, random: number, serverRetryMs?: number): number {
  const base = Math.min(
    BACKOFF_MAX_MS,
    Math.max(serverRetryMs ?? 0, BACKOFF_MIN_MS * 2 ** Math.min(attempt, 16)),
  );
  return Math.round(base * (0.5 + random / 2));
}
