// The local Git and Helm chart server (test/gitserver/go) that real Argo CD and
// Flux controllers sync from in the tests and the tour: Git over smart HTTP
// under /git/<name>.git, a static chart repository under /charts/.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ensureBinaries } from './controlplane.js';
import { projectRoot } from './project-root.js';

export interface GitServer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  /** URL of the chart repository (a Helm `repoURL` / HelmRepository `spec.url`). */
  chartsUrl: string;
  /** Directory of the bare repositories. */
  gitRoot: string;
  /** Directory served as the chart repository. */
  chartsDir: string;
  pid: number;
  /** Clone URL of a repository made with createRepository(). */
  repoUrl(name: string): string;
  stop(): Promise<void>;
}

export class GitServerError extends Error {}

/** Builds the server once (scripts/build-gitserver.sh) and resolves to its bin directory. */
export function ensureGitServerBinary(log: (line: string) => void = () => {}): Promise<string> {
  return ensureBinaries(log, { script: join(projectRoot(), 'scripts', 'build-gitserver.sh') });
}

/**
 * Starts the server on a free loopback port, keeping its repositories and
 * charts under `dir` and its request log in `dir/gitserver.log`.
 */
export async function startGitServer(opts: {
  dir: string;
  bin?: string;
  log?: (line: string) => void;
}): Promise<GitServer> {
  const bin = opts.bin ?? (await ensureGitServerBinary(opts.log));
  const gitRoot = join(opts.dir, 'git');
  const chartsDir = join(opts.dir, 'charts');
  mkdirSync(gitRoot, { recursive: true });
  mkdirSync(chartsDir, { recursive: true });
  const logFd = openSync(join(opts.dir, 'gitserver.log'), 'a');
  const child = spawn(join(bin, 'gitserver'), ['--git-root', gitRoot, '--charts', chartsDir], {
    stdio: ['ignore', 'pipe', logFd],
  });
  closeSync(logFd);
  const url = await firstLine(child);
  const pid = child.pid ?? 0;
  return {
    url,
    chartsUrl: `${url}/charts`,
    gitRoot,
    chartsDir,
    pid,
    repoUrl: (name) => `${url}/git/${name}.git`,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await new Promise<void>((res) => child.once('exit', () => res()));
    },
  };
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const fail = (why: string) => reject(new GitServerError(`the local Git server did not start: ${why}`));
    child.once('error', (err) => fail(err.message));
    child.once('exit', (code) => fail(`it exited with code ${code} (see gitserver.log)`));
    lines.once('line', (line) => {
      const m = /^listening on (http:\/\/\S+)$/.exec(line);
      if (m) resolve(m[1]!);
      else fail(`unexpected first line ${JSON.stringify(line)}`);
    });
  });
}

/** Runs git with a fixed identity; throws with git's own message on failure. */
export function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=Depot tests', '-c', 'user.email=tests@depot.sh', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
  });
  if (r.error) throw new GitServerError(`git ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new GitServerError(`git ${args.join(' ')} (in ${cwd}): ${r.stderr.trim()}`);
  return r.stdout.trim();
}
