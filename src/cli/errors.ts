// Turns any error into the single line a user sees; DEPOT_DEBUG=1 adds the stack.
export class UserError extends Error {}

export function reportError(err: unknown): number {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`error: ${message}\n`);
  if (process.env.DEPOT_DEBUG === '1' && err instanceof Error && err.stack)
    process.stderr.write(`${err.stack}\n`);
  return 1;
}
