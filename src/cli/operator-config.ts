// What `depot operator` runs with, from its parsed flags: a pure mapping (no
// file, environment or cluster is read here), so that every flag's effect is
// unit-tested. Flags that can only be wrong are refused here, with one line.
import type { LeaderElectionConfig } from '../runtime/leader.js';
import type { LogLevel } from '../runtime/log.js';
import type { ManagerOptions } from '../runtime/manager.js';
import { parseAddress } from '../runtime/health.js';
import type { DepotOptions } from '../controllers/options.js';
import { deliverySettingsDefaults } from '../controllers/delivery/registry.js';
import { deliveryDefaults } from '../controllers/delivery/tracker.js';
import { agentContactIntervalMs } from '../server/agent-contacts.js';
import type { ApiServerOptions } from '../server/api-server.js';
import type { TlsFiles } from '../server/tls-files.js';
import { UserError } from './errors.js';
import type { OperatorFlags } from './operator-flags.js';

/** Depot's controller settings; the audit log is opened from `auditLog` by the caller. */
export type ControllerSettings = Omit<DepotOptions, 'audit' | 'hooks'> & { auditLog?: string };

export interface OperatorConfig {
  logLevel: LogLevel;
  /** Where the cluster is: --kubeconfig / --context (default: $KUBECONFIG, ~/.kube/config, in-cluster). */
  cluster: { kubeconfig?: string; context?: string };
  manager: Omit<ManagerOptions, 'kubeConfig' | 'log' | 'leaderElection'> & {
    /** Undefined: no leader election. An absent leaseNamespace is the pod's, else the kubeconfig context's. */
    leaderElection?: Omit<LeaderElectionConfig, 'identity' | 'leaseNamespace'> & { leaseNamespace?: string };
  };
  controllers: ControllerSettings;
  /** Undefined when the HTTP API is off (--api-addr 0). */
  api?: ApiServerOptions;
}

export function controllerSettings(flags: OperatorFlags): ControllerSettings {
  return {
    historyLimit: flags.historyLimit,
    verifiedActors: flags.verifiedActors,
    ...(flags.auditLog !== undefined ? { auditLog: flags.auditLog } : {}),
    deliverySettings: {
      ...deliverySettingsDefaults,
      integrations: flags.integrations,
      checkAuthorization: flags.deliveryAuthorization,
      receiverUrlAllow: flags.receiverUrlAllow,
      httpTimeoutMs: flags.receiverTimeout,
    },
    delivery: {
      retry: {
        ...deliveryDefaults.retry,
        baseMs: flags.deliveryRetryBaseDelay,
        maxMs: flags.deliveryRetryMaxDelay,
      },
      concurrency: flags.deliveryConcurrency,
      inlineWaitMs: flags.deliveryInlineWait,
    },
    agentSilenceMs: flags.agentSilence,
  };
}

/** `env.podName` is $POD_NAME, the default --identity. */
export function operatorConfig(flags: OperatorFlags, env: { podName?: string } = {}): OperatorConfig {
  const tls = apiTls(flags);
  const api = apiAddress(flags.apiAddr);
  const identity = flags.identity ?? env.podName;
  return {
    logLevel: flags.logLevel,
    cluster: {
      ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
      ...(flags.context !== undefined ? { context: flags.context } : {}),
    },
    manager: {
      namespaces: flags.namespaces,
      workers: flags.workers,
      resyncPeriodMs: flags.resyncPeriod,
      retryBackoff: { baseMs: flags.retryBaseDelay, maxMs: flags.retryMaxDelay },
      qps: flags.kubeApiQps,
      burst: flags.kubeApiBurst,
      leaderElection: flags.leaderElect
        ? {
            leaseName: flags.leaderElectionId,
            ...(flags.leaderElectionNamespace !== undefined
              ? { leaseNamespace: flags.leaderElectionNamespace }
              : {}),
            leaseDurationMs: flags.leaseDuration,
            renewDeadlineMs: flags.renewDeadline,
            retryPeriodMs: flags.retryPeriod,
          }
        : undefined,
      identity,
      healthAddress: flags.healthAddr,
      metricsAddress: flags.metricsAddr,
      shutdownTimeoutMs: flags.shutdownTimeout,
    },
    controllers: controllerSettings(flags),
    api: api
      ? {
          address: flags.apiAddr,
          anonymousReads: flags.apiAnonymousReads,
          verifiedActors: flags.verifiedActors,
          tls,
          // A contact at least four times per allowed silence: a polling agent never looks silent.
          agentContactIntervalMs: Math.min(agentContactIntervalMs, flags.agentSilence / 4),
        }
      : undefined,
  };
}

/** The HTTP API's address, undefined when off ("0"); a malformed one is a usage error. */
function apiAddress(address: string): { host: string; port: number } | undefined {
  try {
    return parseAddress(address);
  } catch (err) {
    throw new UserError(`--api-addr: ${(err as Error).message}`);
  }
}

function apiTls(flags: OperatorFlags): TlsFiles | undefined {
  if (!flags.apiTlsCert && !flags.apiTlsKey) return undefined;
  if (!flags.apiTlsCert || !flags.apiTlsKey)
    throw new UserError('--api-tls-cert and --api-tls-key go together: pass both or neither');
  return { certFile: flags.apiTlsCert, keyFile: flags.apiTlsKey };
}
