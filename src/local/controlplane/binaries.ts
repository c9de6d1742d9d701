// The control plane's binaries (etcd, kube-apiserver, kube-controller-manager,
// depot-pki), built from their Go modules by scripts/build-controlplane.sh.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { projectRoot } from '../project-root.js';
import { ControlPlaneError } from './errors.js';

/**
 * Builds (once) or finds the control-plane binaries; resolves to their
 * directory. A cold build takes minutes: each progress line of the build
 * script goes to `log` as it is printed. Its `error:` line becomes the error.
 */
export async function ensureBinaries(
  log: (line: string) => void = () => {},
  opts: { script?: string } = {},
): Promise<string> {
  const script = opts.script ?? join(projectRoot(), 'scripts', 'build-controlplane.sh');
  if (!existsSync(script))
    throw new ControlPlaneError(
      `the local control plane is built from a checkout of the Depot repository, and ${script} is not here (the npm package holds the CLI only): clone the repository and run make demo there`,
    );
  const child = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const errors: string[] = [];
  let last = '';
  const lines = createInterface({ input: child.stderr, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (line.startsWith('error: ')) errors.push(line.slice('error: '.length));
    else if (line.trim() !== '') {
      last = line;
      log(line);
    }
  });
  const [code] = await Promise.all([
    new Promise<number | null>((resolve, reject) => {
      child.once('error', (err) =>
        reject(new ControlPlaneError(`cannot run the control-plane build (${script}): ${err.message}`)),
      );
      child.once('close', (exitCode) => resolve(exitCode));
    }),
    once(lines, 'close'),
  ]);
  if (code !== 0) {
    throw new ControlPlaneError(
      errors.at(-1) ??
        `building the control plane failed (${script} exited with code ${code})${last ? `: ${last}` : ''}`,
    );
  }
  return stdout.trim();
}
