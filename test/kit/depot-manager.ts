// Depot's own controllers in the test process, on the same Manager as
// `depot operator`, resyncing every second, with an audit log of its own:
// steady-state tests count its requests on /metrics.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { controllers } from '../../src/controllers/index.js';
import { deliverySettingsDefaults } from '../../src/controllers/delivery/registry.js';
import { createAuditLog } from '../../src/runtime/audit-log.js';
import type { createLogger } from '../../src/runtime/log.js';
import { Manager } from '../../src/runtime/manager.js';

export interface DepotManager {
  manager: Manager;
  /** Base URL of /metrics, /readyz, /healthz. */
  url: string;
}

export async function startDepotManager(
  kubeConfig: KubeConfig,
  namespace: string,
  opts: { identity: string; log: ReturnType<typeof createLogger>; receiverUrlAllow?: string[] },
): Promise<DepotManager> {
  const manager = new Manager({
    kubeConfig,
    namespaces: [namespace],
    resyncPeriodMs: 1_000,
    healthAddress: '127.0.0.1:0',
    log: opts.log,
    identity: opts.identity,
  });
  const audit = createAuditLog(join(mkdtempSync(join(tmpdir(), 'depot-audit-')), 'audit.log'));
  const deliverySettings = opts.receiverUrlAllow
    ? { deliverySettings: { ...deliverySettingsDefaults, receiverUrlAllow: opts.receiverUrlAllow } }
    : {};
  // The global setup installs Depot's admission policies: actors come from their stamps.
  manager.add(...controllers(manager.deps, { audit, verifiedActors: true, ...deliverySettings }));
  const [address] = await manager.start();
  return { manager, url: `http://127.0.0.1:${address!.port}` };
}
