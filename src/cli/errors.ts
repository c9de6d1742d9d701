// Turns any error into the single line a user sees; DEPOT_DEBUG=1 adds the stack.
// An action's refusal (src/actions/errors.ts: not found, invalid, conflict,
// forbidden) is that line too, naming the flag or field it is about, with
// exit code 1 like kubectl's refusals (scripts test for non-zero, not kinds).
import { ActionError } from '../actions/errors.js';

export class UserError extends Error {}

export function reportError(err: unknown): number {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`error: ${message}\n`);
  if (process.env.DEPOT_DEBUG === '1' && err instanceof Error && err.stack)
    process.stderr.write(`${err.stack}\n`);
  return err instanceof ActionError ? refusalExitCode : 1;
}

/** Every refusal: nothing was written, the line says why. */
export const refusalExitCode = 1;
