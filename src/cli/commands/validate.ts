// `depot validate FILE|DIR...`: offline validation of Depot resource YAML for
// GitOps pull-request checks. Reads the files (directories recursively) and
// hands their bytes to the pure checker in src/core/validate.
import { closeSync, openSync, readdirSync, readSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { formatProblem, type Problem } from '../../core/validate/problem.js';
import { urlPrefixes } from '../flags.js';
import { MAX_DOCUMENT_BYTES } from '../../core/validate/documents.js';
import { validateSources, type SourceFile, type ValidationReport } from '../../core/validate/validate.js';

/** Files larger than this are not read at all (no single manifest file needs 32 MiB). */
export const MAX_FILE_BYTES = 32 * 1024 * 1024;
const MANIFEST = /\.(ya?ml|json)$/i;

export interface ValidateCommandOptions {
  output: 'text' | 'json';
  skipReferences?: boolean;
  /** --gate-url-allow: the operator's prefixes; gate URLs are checked against them when given. */
  gateUrlAllow?: string[];
}

export interface Output {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(
      'check Depot resource YAML offline: schema, references between the given files, promotion cycles, rule syntax, duplicate names, promotion gates',
    )
    .argument('<paths...>', 'YAML files or directories (searched recursively for *.yaml, *.yml, *.json)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--skip-references', 'do not require referenced objects to be among the given files', false)
    .option(
      '--gate-url-allow <prefixes>',
      "the operator's --gate-url-allow (comma-separated or repeated): Promotion gate URLs must be under one of these prefixes (default: gate URLs are not checked against a list)",
      (value: string, previous?: string[]) => urlPrefixes('--gate-url-allow')(value, previous ?? []),
    )
    .addHelpText(
      'after',
      `\nOne line per problem: FILE:DOC KIND/NAME FIELD: MESSAGE (DOC = index of the YAML document, 0 = first).\n` +
        `Exit code 1 when there is any problem. Documents over ${MAX_DOCUMENT_BYTES / 1024 / 1024} MiB are not checked; objects of other APIs are ignored.`,
    )
    .action((paths: string[], opts: ValidateCommandOptions) => {
      process.exitCode = runValidate(paths, opts, {
        stdout: (t) => process.stdout.write(t),
        stderr: (t) => process.stderr.write(t),
      });
    });
}

/** Runs the command; returns the exit code (0 valid, 1 problems). */
export function runValidate(paths: string[], opts: ValidateCommandOptions, out: Output): number {
  const { files, problems: readProblems } = readSources(paths);
  const report = validateSources(files, {
    skipReferences: opts.skipReferences,
    gateUrlAllow: opts.gateUrlAllow,
  });
  const problems = [...readProblems, ...report.problems];
  const final: ValidationReport = { ...report, valid: problems.length === 0, problems };
  if (opts.output === 'json') {
    out.stdout(`${JSON.stringify(final, null, 2)}\n`);
  } else {
    for (const p of problems) out.stdout(`${formatProblem(p)}\n`);
    out.stderr(summary(final));
  }
  return final.valid ? 0 : 1;
}

function summary(r: ValidationReport): string {
  const counts = `${r.objects} Depot object${r.objects === 1 ? '' : 's'} in ${r.files} file${r.files === 1 ? '' : 's'}`;
  if (r.valid) return `${counts}: valid\n`;
  return `${counts}: ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}\n`;
}

interface ReadResult {
  files: SourceFile[];
  problems: Problem[];
}

function readSources(paths: string[]): ReadResult {
  const result: ReadResult = { files: [], problems: [] };
  const seen = new Set<string>();
  for (const path of paths) collect(path, true, result, seen);
  return result;
}

function collect(path: string, explicit: boolean, result: ReadResult, seen: Set<string>): void {
  try {
    const real = realpathSync(path);
    if (seen.has(real)) return; // the same file or a directory loop through a symlink
    seen.add(real);
    const stat = statSync(real);
    if (stat.isDirectory()) {
      const before = result.files.length + result.problems.length;
      for (const entry of readdirSync(real).sort()) {
        if (entry.startsWith('.')) continue; // .git and friends
        const child = join(path, entry);
        if (statSync(child).isDirectory() || MANIFEST.test(entry)) collect(child, false, result, seen);
      }
      if (explicit && result.files.length + result.problems.length === before) {
        result.problems.push({ file: path, message: 'no *.yaml, *.yml or *.json files in this directory' });
      }
      return;
    }
    if (!stat.isFile()) {
      result.problems.push({ file: path, message: 'not a regular file' });
      return;
    }
    if (stat.size > MAX_FILE_BYTES) {
      result.problems.push({
        file: path,
        message: `file is ${(stat.size / 1024 / 1024).toFixed(1)} MiB, over the 32 MiB limit; not read`,
      });
      return;
    }
    result.files.push({ path, bytes: readAll(real, stat.size) });
  } catch (err) {
    result.problems.push({ file: path, message: describeFsError(err) });
  }
}

function readAll(path: string, size: number): Uint8Array {
  // Read at most the cap even if the file grows meanwhile.
  const buf = Buffer.alloc(Math.min(size, MAX_FILE_BYTES));
  const fd = openSync(path, 'r');
  try {
    let n = 0;
    while (n < buf.length) {
      const r = readSync(fd, buf, n, buf.length - n, n);
      if (r === 0) break;
      n += r;
    }
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ELOOP') return 'too many levels of symbolic links';
  return err instanceof Error ? err.message : String(err);
}
