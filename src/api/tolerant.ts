// Reading objects a newer Depot wrote (seed 001: an older CLI keeps working against a newer
// operator). A reader drops what it does not know: unknown fields anywhere, and in status an
// unknown enum value (the field when optional, else the list entry holding it). An unknown
// value in spec fails with a message asking for a newer Depot, since guessing would change
// meaning. Defaults apply as usual.
import type { z } from 'zod';
import type { FieldProblem } from './field-problem.js';
import { formatPath, parseWith, type ParseResult } from './parse.js';

export type TolerantResult<T> = ParseResult<T> & {
  /** What was dropped, as field paths (for debugging; readers need not show it). */
  dropped?: string[];
};

type Path = readonly PropertyKey[];

/** `schema` parsed from a copy of `input` without what this version of Depot does not know. */
export function parseTolerant<S extends z.ZodType>(schema: S, input: unknown): TolerantResult<z.output<S>> {
  let copy = structuredClone(input);
  const dropped: string[] = [];
  const deletedFields = new Set<string>();
  // Each round removes every unknown thing zod reports; nested unknowns surface in later rounds.
  for (let round = 0; round < 100; round++) {
    const result = schema.safeParse(copy, { reportInput: true });
    if (result.success) return { ok: true, value: result.data, ...(dropped.length ? { dropped } : {}) };
    const fixes = result.error.issues.map((issue) => fixFor(copy, issue, deletedFields));
    const usable = fixes.filter((f): f is Fix => f !== undefined);
    // Only what no reader may drop is left: report it.
    if (usable.length === 0) return withProblems(schema, copy);
    copy = applyFixes(copy, usable, dropped);
  }
  return withProblems(schema, copy);
}

type Fix = { drop: 'keys'; path: Path; keys: string[] } | { drop: 'item' | 'field'; path: Path };

function fixFor(root: unknown, issue: z.core.$ZodIssue, deletedFields: Set<string>): Fix | undefined {
  if (issue.code === 'unrecognized_keys') return { drop: 'keys', path: issue.path, keys: issue.keys };
  if (issue.path[0] !== 'status') return undefined;
  const id = formatPath(issue.path);
  if (issue.code === 'invalid_value' && issue.input !== undefined && !deletedFields.has(id)) {
    deletedFields.add(id);
    return { drop: 'field', path: issue.path };
  }
  // The field was required: its object goes instead, a list entry whole (a history entry of a new
  // type), an object field in turn (the next round says whether that one was required too).
  if (issue.input === undefined && deletedFields.has(id) && issue.path.length > 2) {
    const holder = issue.path.slice(0, -1);
    if (Array.isArray(at(root, holder.slice(0, -1)))) return { drop: 'item', path: holder };
    deletedFields.add(formatPath(holder));
    return { drop: 'field', path: holder };
  }
  return undefined;
}

function applyFixes(root: unknown, fixes: Fix[], dropped: string[]): unknown {
  // Items last and from the highest index down, so earlier removals do not shift later ones.
  const order = (f: Fix) => (f.drop === 'item' ? (f.path[f.path.length - 1] as number) : Infinity);
  const seen = new Set<string>();
  for (const fix of [...fixes].sort((a, b) => order(b) - order(a))) {
    const id = `${fix.drop}:${formatPath(fix.path)}`;
    if (seen.has(id)) continue;
    seen.add(id);
    if (fix.drop === 'keys') {
      const obj = at(root, fix.path) as Record<string, unknown> | undefined;
      for (const key of fix.keys) {
        if (obj) delete obj[key];
        dropped.push(formatPath([...fix.path, key]));
      }
      continue;
    }
    const parent = at(root, fix.path.slice(0, -1));
    const last = fix.path[fix.path.length - 1]!;
    if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
    else if (parent && typeof parent === 'object') delete (parent as Record<PropertyKey, unknown>)[last];
    dropped.push(formatPath(fix.path));
  }
  return root;
}

function at(root: unknown, path: Path): unknown {
  let node = root;
  for (const part of path) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node;
}

/**
 * The problems that remain, with an unknown value in spec explained as a newer Depot's. Spec
 * is not guessed at: a defaulted versionScheme or a dropped rule would change its meaning.
 */
function withProblems<S extends z.ZodType>(schema: S, copy: unknown): TolerantResult<z.output<S>> {
  const result = parseWith(schema, copy);
  if (result.ok) return result;
  const problems: FieldProblem[] = result.problems.map((p) =>
    /^must be (one of )?"/.test(p.message)
      ? { ...p, message: `${p.message} (a newer Depot may have written it: upgrade this one)` }
      : p,
  );
  return { ok: false, problems };
}
