// `depot operator`: runs Depot's controllers against a cluster, with leader
// election, health/readiness/metrics endpoints and graceful shutdown. The
// probe operator of the integration tests registers this same command with
// its own controllers, so tests run exactly this code. Its flags:
// ../operator-flags.ts; what they mean to the operator: ../operator-config.ts.
import { existsSync, readFileSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Command } from 'commander';
import { controllers as depotControllers } from '../../controllers/index.js';
import type { DepotHooks } from '../../controllers/options.js';
import { createAuditLog } from '../../runtime/audit-log.js';
import type { RuntimeDeps } from '../../runtime/runtime-deps.js';
import { formatDuration } from '../../kube/duration.js';
import { createLogger } from '../../runtime/log.js';
import { Manager } from '../../runtime/manager.js';
import type { ControllerSpec } from '../../runtime/reconciler.js';
import { ApiServer } from '../../server/api-server.js';
import { loadKubeConfig } from '../../client/depot-client.js';
import { UserError } from '../errors.js';
import { addOptions } from '../flags.js';
import { certificateSecretOptions, controllerSettings, operatorConfig } from '../operator-config.js';
import { operatorFlags, type OperatorFlags } from '../operator-flags.js';

export type { OperatorFlags } from '../operator-flags.js';

export type ControllerFactory = (deps: RuntimeDeps, flags: OperatorFlags) => ControllerSpec[];

/** Depot's controllers with the Depot flags of `depot operator` (and, from tests' own entry points, hooks). */
export function depotFactory(hooks: DepotHooks = {}): ControllerFactory {
  return (deps, flags) => {
    const { auditLog, ...settings } = controllerSettings(flags);
    return depotControllers(deps, { ...settings, audit: createAuditLog(auditLog), hooks });
  };
}

const serviceAccountNamespace = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export function registerOperator(program: Command, factory: ControllerFactory = depotFactory()): Command {
  const command = program
    .command('operator')
    .description('run the Depot operator (controllers, leader election, /healthz /readyz /metrics)');
  return addOptions(command, ...operatorFlags()).action(async (flags: OperatorFlags) => {
    process.exitCode = await runOperator(flags, factory);
    // Everything is stopped and logs are written synchronously: exit even if a socket lingers.
    process.exit();
  });
}

export async function runOperator(flags: OperatorFlags, factory: ControllerFactory): Promise<number> {
  // Flags that can only be wrong are refused before anything starts.
  const config = operatorConfig(flags, { podName: process.env.POD_NAME });
  checkTlsFiles(flags);
  const log = createLogger({ level: config.logLevel });
  const kubeConfig = loadKubeConfig(config.cluster);
  const election = config.manager.leaderElection;
  const manager = new Manager({
    ...config.manager,
    kubeConfig,
    leaderElection: election && {
      ...election,
      leaseNamespace: election.leaseNamespace ?? defaultLeaseNamespace(kubeConfig),
    },
    log,
  });
  manager.add(...factory(manager.deps, flags));
  if (config.api) {
    const { tlsSecret, reviewBudget, ...api } = config.api;
    manager.addRunnable(
      new ApiServer(manager.deps, {
        ...api,
        reviewClient: manager.budgetedClient(reviewBudget),
        ...(tlsSecret
          ? { tlsSecret: certificateSecretOptions(tlsSecret, defaultLeaseNamespace(kubeConfig)) }
          : {}),
      }),
    );
  }

  let signals = 0;
  let stopping: Promise<void> | undefined;
  const stopped = new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (++signals > 1) {
        log.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      stopping = manager.stop(signal).then(resolve, resolve);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  process.on('unhandledRejection', (reason) => {
    manager.metrics.unhandledRejections.inc();
    log.error({ err: reason }, 'unhandled promise rejection (the operator keeps running)');
  });

  log.info(
    {
      leaseDuration: formatDuration(flags.leaseDuration),
      renewDeadline: formatDuration(flags.renewDeadline),
      retryPeriod: formatDuration(flags.retryPeriod),
      node: process.version,
      // V8 settings, e.g. the young generation size bin/depot.js sets.
      nodeFlags: process.execArgv,
    },
    'starting the operator',
  );
  // The runtime's own timers do not hold the process open (so tests and
  // embedders can stop cleanly); while the API server is unreachable nothing
  // else might, so the operator holds itself open until it is stopped.
  const keepAlive = setInterval(() => undefined, 60_000);
  try {
    await manager.start();
    await stopped;
    await stopping;
  } finally {
    clearInterval(keepAlive);
  }
  return 0;
}

/** operatorConfig checked that both are given or neither. */
function checkTlsFiles(flags: OperatorFlags): void {
  for (const file of [flags.apiTlsCert, flags.apiTlsKey])
    if (file !== undefined && !existsSync(file))
      throw new UserError(`${file}: no such file (--api-tls-cert/--api-tls-key)`);
}

function defaultLeaseNamespace(kc: KubeConfig): string {
  if (existsSync(serviceAccountNamespace)) return readFileSync(serviceAccountNamespace, 'utf8').trim();
  return kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
}
