// The dashboard on this machine with a kubeconfig (`depot dashboard`, and
// the demo's): a manager with no controllers (only the informers, watching
// with those credentials) and the HTTP API's server in local mode on
// 127.0.0.1, authorized by SelfSubjectAccessReviews of that user.
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../kube/client.js';
import { realClock } from '../kube/clock.js';
import { ApiTransport } from '../kube/transport.js';
import { createLogger } from '../runtime/log.js';
import { Manager } from '../runtime/manager.js';
import { ApiServer } from '../server/api-server.js';
import { SelfAccessReviewer } from '../server/dashboard/self-reviewer.js';

export interface LocalDashboard {
  url: string;
  stop(): Promise<void>;
}

export async function startLocalDashboard(opts: {
  kubeConfig: KubeConfig;
  /** The authenticated user (SelfSubjectReview): named by the page and in the writes' history. */
  user: string;
  /** Watched namespaces; undefined: all. */
  namespaces?: string[];
  port: number;
  reviewer?: SelfAccessReviewer;
  uiDir?: string;
}): Promise<LocalDashboard> {
  const reviewer =
    opts.reviewer ??
    new SelfAccessReviewer(
      new KubeClient(new ApiTransport({ kubeConfig: opts.kubeConfig, clock: realClock })),
    );
  const manager = new Manager({
    kubeConfig: opts.kubeConfig,
    namespaces: opts.namespaces,
    healthAddress: '0',
    metricsAddress: '0',
    identity: `depot-dashboard-${opts.user}`,
    log: createLogger({ level: 'warn' }),
  });
  const server = new ApiServer(manager.deps, {
    address: `127.0.0.1:${opts.port}`,
    local: { user: { username: opts.user }, reviewer },
    ...(opts.uiDir ? { uiDir: opts.uiDir } : {}),
  });
  manager.addRunnable(server);
  await manager.start();
  const address = await server.address;
  return { url: `http://127.0.0.1:${address.port}/`, stop: () => manager.stop('dashboard stopped') };
}
