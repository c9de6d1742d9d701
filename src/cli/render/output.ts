// -o json|yaml|wide|table for every listing command.
import { stringify } from 'yaml';
import { UserError } from '../errors.js';

export const OUTPUT_FORMATS = ['table', 'wide', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function parseOutput(value: string): OutputFormat {
  if ((OUTPUT_FORMATS as readonly string[]).includes(value)) return value as OutputFormat;
  throw new UserError(`-o must be one of ${OUTPUT_FORMATS.join(', ')}, got "${value}"`);
}

/** Prints machine formats; returns false when the caller should print its table. */
export function printMachine(format: OutputFormat, data: unknown): boolean {
  if (format === 'json') process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
  else if (format === 'yaml') process.stdout.write(stringify(data));
  else return false;
  return true;
}
