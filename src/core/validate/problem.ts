// One finding of `depot validate`, and its one-line text form:
// `file:docIndex kind/name field.path: message`.
import type { FieldProblem } from '../../api/field-problem.js';

/** A FieldProblem located in a file; `path` is absent when it is about the whole file or document. */
export interface Problem extends Omit<FieldProblem, 'path'>, Partial<Pick<FieldProblem, 'path'>> {
  file: string;
  /** Index of the YAML document in the file, 0 for the first (absent for file-level problems). */
  document?: number;
  /** 1-based line where the document starts. */
  line?: number;
  kind?: string;
  name?: string;
}

export function formatProblem(p: Problem): string {
  let out = p.document === undefined ? p.file : `${p.file}:${p.document}`;
  if (p.kind) out += ` ${p.kind}/${p.name ?? '?'}`;
  if (p.path) out += ` ${p.path}`;
  return `${out}: ${p.message}`;
}

/** Problems in file, document, path and message order (stable output for CI logs, on any locale). */
export function sortProblems(problems: Problem[]): Problem[] {
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return [...problems].sort(
    (a, b) =>
      cmp(a.file, b.file) ||
      (a.document ?? -1) - (b.document ?? -1) ||
      cmp(a.path ?? '', b.path ?? '') ||
      cmp(a.message, b.message),
  );
}
