// A string format checked by one regular expression, written so that RE2 (the
// API server's CEL `matches`) and JavaScript read it the same way.
import { z } from 'zod';
import { celRegex, withRules, type Rule } from './cel.js';

export interface StringFormat {
  /** Anchored regular expression (no look-arounds, no back-references, no `'`). */
  pattern: string;
  maxLength: number;
  /** Completes "<field>: …", e.g. `must be a semantic version such as 1.2.3`. */
  message: string;
}

/** An http or https URL; `example` completes the message. */
export function httpUrl(example: string): StringFormat {
  return {
    pattern: '^https?://[^\\s/?#]+([/?#][^\\s]*)?$',
    maxLength: 2048,
    message: `must be an http or https URL such as ${example}`,
  };
}

/** The rule that a string matches the format (for a string schema or a map key). */
export function formatRule(format: StringFormat): Rule<string> {
  const re = new RegExp(format.pattern);
  return {
    cel: `self.matches(${celRegex(format.pattern)})`,
    check: (v) => re.test(v),
    message: format.message,
  };
}

/** A non-empty string of the format, bounded so that CEL cost estimation passes. */
export function formatted(format: StringFormat, description: string): z.ZodString {
  return withRules(z.string().min(1).max(format.maxLength), formatRule(format)).meta({ description });
}

/** A bounded free-text string (descriptions, messages). */
export function text(maxLength: number, description: string): z.ZodString {
  return z.string().max(maxLength).meta({ description });
}
