// Runs Flux's real notification-controller (built by scripts/build-flux.sh in
// the global setup) against the test control plane: its Receiver controller
// computes each Receiver's webhook path, and its receiver server (a free
// loopback port) validates calls and annotates the Receiver's resources.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../src/local/controlplane.js';
import { eventually } from './eventually.js';

export interface NotificationController {
  /** http://127.0.0.1:<port>: a Receiver's URL is this + its status.webhookPath. */
  receiverBase: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** Watches only `namespace` (test files running in parallel each have their own controller). */
export async function startNotificationController(
  kubeconfig: string,
  namespace: string,
): Promise<NotificationController> {
  const bin = process.env.DEPOT_TEST_FLUX_BIN;
  if (!bin)
    throw new Error('DEPOT_TEST_FLUX_BIN is not set: run integration tests through jest (global setup)');
  const [receiver, metrics, health, events] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const child = spawn(
    join(bin, 'notification-controller'),
    [
      `--receiverAddr=127.0.0.1:${receiver}`,
      `--metrics-addr=127.0.0.1:${metrics}`,
      `--health-addr=127.0.0.1:${health}`,
      `--events-addr=127.0.0.1:${events}`,
      '--enable-leader-election=false',
      '--watch-all-namespaces=false',
      '--log-encoding=console',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, KUBECONFIG: kubeconfig, RUNTIME_NAMESPACE: namespace },
    },
  );
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    await eventually(
      'the notification-controller to be ready',
      async () => {
        if (child.exitCode !== null)
          throw new Error(`it exited with code ${child.exitCode}:\n${out.slice(-2000)}`);
        return (await fetch(`http://127.0.0.1:${health}/readyz`)).ok;
      },
      60_000,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { receiverBase: `http://127.0.0.1:${receiver}`, output: () => out, stop };
}
