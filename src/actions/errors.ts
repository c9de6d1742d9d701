// The one refusal of every user operation, whoever asked (the CLI, the HTTP
// API, the dashboard): what kind of refusal and why, in one line. The CLI
// prints it (naming the flag or field), the HTTP API answers it as 4xx JSON
// (naming the body field); the reason is the same text in both.
export type RefusalKind = 'notFound' | 'invalid' | 'conflict' | 'forbidden';

/** The input a refusal is about: its name in an HTTP body, and in the CLI (a flag or the field written). */
export interface RefusedInput {
  http: string;
  cli?: string;
}

export class ActionError extends Error {
  constructor(
    readonly kind: RefusalKind,
    /** Why, without the input's name (both front ends add their own). */
    readonly reason: string,
    readonly input?: RefusedInput,
  ) {
    super(input?.cli ? `${input.cli}: ${reason}` : reason);
    this.name = 'ActionError';
  }
}

export const notFound = (reason: string, input?: RefusedInput) => new ActionError('notFound', reason, input);
export const invalid = (reason: string, input?: RefusedInput) => new ActionError('invalid', reason, input);
export const conflict = (reason: string, input?: RefusedInput) => new ActionError('conflict', reason, input);
export const forbidden = (reason: string) => new ActionError('forbidden', reason);
