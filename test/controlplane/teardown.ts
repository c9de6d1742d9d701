// Stops the run's control plane and removes its data.
import { rmSync } from 'node:fs';
import { down } from '../../src/local/controlplane/index.js';

export default async function globalTeardown(): Promise<void> {
  const dir = process.env.DEPOT_TEST_CONTROLPLANE_DIR;
  if (!dir) return;
  down(dir, { purge: true });
  rmSync(dir, { recursive: true, force: true });
  const watchdog = Number(process.env.DEPOT_TEST_WATCHDOG_PID);
  if (watchdog) {
    try {
      process.kill(watchdog, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
}
