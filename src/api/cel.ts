// A validation rule written once and run in two places: as a CEL rule by the
// API server at admission (x-kubernetes-validations in the CRD) and as a zod
// check in Depot (controller, `depot validate`), with the same message.
import type { z } from 'zod';

export type FieldPath = (string | number)[];

export interface Rule<T> {
  /** CEL expression over `self`, as the API server evaluates it. */
  cel: string;
  /** The same rule in TypeScript: true when it holds; false, or the paths (relative to the value) that break it. */
  check: (value: T) => boolean | FieldPath[];
  /** What is wrong and how to fix it; the API server and zod both prefix it with the field path. */
  message: string;
  /** CEL message naming the offending entry (the API server falls back to `message`). */
  messageExpression?: string;
  /** Where the API server reports a violation, relative to the value (e.g. `.versions`). */
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

/** The x-kubernetes-validations entry as the CRD carries it. */
export interface CelValidation {
  rule: string;
  message: string;
  messageExpression?: string;
  fieldPath?: string;
  reason?: string;
}

export const CEL_KEY = 'x-kubernetes-validations';

/** Adds rules to a schema: zod checks now, CEL rules in its metadata for the CRD generator. */
export function withRules<S extends z.ZodType>(schema: S, ...rules: Rule<z.output<S>>[]): S {
  const meta = (schema.meta() ?? {}) as Record<string, unknown>;
  const existing = (meta[CEL_KEY] as CelValidation[] | undefined) ?? [];
  const refined = schema.superRefine((value, ctx) => {
    for (const rule of rules) {
      for (const path of violations(rule, value))
        ctx.addIssue({ code: 'custom', message: rule.message, path, input: value });
    }
  });
  return refined.meta({ ...meta, [CEL_KEY]: [...existing, ...rules.map(toCel)] } as Parameters<S['meta']>[0]);
}

function violations<T>(rule: Rule<T>, value: T): FieldPath[] {
  const result = rule.check(value);
  if (result === true) return [];
  if (result === false) return [fieldPathToPath(rule.fieldPath)];
  return result;
}

function toCel(rule: Rule<never>): CelValidation {
  const out: CelValidation = { rule: rule.cel, message: rule.message };
  if (rule.messageExpression) out.messageExpression = rule.messageExpression;
  if (rule.fieldPath) out.fieldPath = rule.fieldPath;
  if (rule.reason) out.reason = rule.reason;
  return out;
}

/** `.a.b` → ['a', 'b'] (the simple field paths Depot's rules use). */
export function fieldPathToPath(fieldPath: string | undefined): FieldPath {
  return fieldPath ? fieldPath.split('.').filter(Boolean) : [];
}

/** A CEL raw-string literal for a regular expression (RE2 and JavaScript agree on Depot's patterns). */
export function celRegex(pattern: string): string {
  if (pattern.includes("'")) throw new Error(`pattern cannot be a CEL raw string: ${pattern}`);
  return `r'${pattern}'`;
}

/** A CEL string literal. */
export function celString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
