// Runs the built `depot operator` as a real process against the test control
// plane, and the built CLI, as a user would.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { localOperatorArgv } from '../../src/local/operator-argv.js';
import { projectRoot } from '../../src/local/project-root.js';

const root = projectRoot();
const bin = join(root, 'bin', 'depot.js');

function assertBuilt(): void {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) {
    throw new Error(
      'dist/ is missing: run `npx tsc -p tsconfig.build.json` (make test does it) before the integration tests',
    );
  }
}

export interface OperatorProcess {
  child: ChildProcess;
  output: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

export function startOperator(
  kubeconfig: string,
  namespace: string,
  opts: {
    env?: Record<string, string>;
    args?: string[];
    leaderElect?: boolean;
    /** false: as on a cluster without Depot's admission policies (no --verified-actors). */
    verifiedActors?: boolean;
    /** Runs this instead of bin/depot.js (e.g. a test entry point with hooks), before `operator`. */
    entry?: string[];
  } = {},
): OperatorProcess {
  assertBuilt();
  const [depot, ...operatorArgs] = localOperatorArgv(kubeconfig, namespace, opts.args, {
    leaderElect: opts.leaderElect,
    verifiedActors: opts.verifiedActors,
  });
  const child = spawn(process.execPath, [...(opts.entry ?? [depot!]), ...operatorArgs], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env },
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => out,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function depotCli(kubeconfig: string, namespace: string, ...args: string[]): CliResult {
  assertBuilt();
  const res = spawnSync(process.execPath, [bin, ...args, '--kubeconfig', kubeconfig, '-n', namespace], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}
