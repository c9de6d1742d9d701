// Runs Flux's real notification-controller (built by scripts/build-flux.sh in
// the global setup) against the test control plane: its Receiver controller
// computes each Receiver's webhook path, and its receiver server (a free
// loopback port) validates calls and annotates the Receiver's resources.
import { freePort } from '../../src/local/controlplane/index.js';
import { startFluxController } from '../controlplane/flux-controllers.js';

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
  const [receiver, events] = [await freePort(), await freePort()];
  const c = await startFluxController('notification-controller', kubeconfig, namespace, [
    `--receiverAddr=127.0.0.1:${receiver}`,
    `--events-addr=127.0.0.1:${events}`,
  ]);
  return { receiverBase: `http://127.0.0.1:${receiver}`, output: c.output, stop: c.stop };
}
