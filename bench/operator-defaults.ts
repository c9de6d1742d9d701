// The operator's default flags, read from `depot operator --help` (the
// harness does not import the operator's code): the baseline uses the same
// concurrency as the operator's workers, and the results record the defaults.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** `--workers` → `2`, `--resync-period` → `10m`, from commander's help text. */
export function parseHelpDefaults(help: string): Record<string, string> {
  const out: Record<string, string> = {};
  // Options start a line with two spaces and "--"; their description may wrap.
  const text = help.replace(/\n\s{10,}/g, ' ');
  for (const m of text.matchAll(/^\s+(--[a-z0-9-]+)(?: <[^>]+>)?\s+(.*)$/gm)) {
    const d = /\(default: ([^)]*)\)|default: ("[^"]*"|[^,)]+)\)?$/.exec(m[2]!);
    const value = d?.[1] ?? d?.[2];
    if (value !== undefined) out[m[1]!] = value.trim().replace(/^"(.*)"$/, '$1');
  }
  return out;
}

export function operatorDefaults(root: string): Record<string, string> {
  const res = spawnSync(process.execPath, [join(root, 'bin', 'depot.js'), 'operator', '--help'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (res.status !== 0) throw new Error(`depot operator --help failed: ${res.stderr.trim()}`);
  return parseHelpDefaults(res.stdout);
}
