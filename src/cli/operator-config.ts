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
import { trustedProxies } from '../server/client-address.js';
import type { RateLimiterOptions } from '../kube/rate-limiter.js';
import { reviewLimitDefaults } from '../server/review-admission.js';
import type { CertificateSecretOptions } from '../server/api-certificate-secret.js';
import { subjectNames } from '../core/api-certificate.js';
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
  api?: Omit<ApiServerOptions, 'tlsSecret'> & {
    tlsSecret?: TlsSecretSettings;
    /** The API budget of its reviews: the caller makes reviewClient with it. */
    reviewBudget: RateLimiterOptions;
  };
}
/** --api-tls-secret and its companions; the namespace is resolved by the caller when absent. */
export interface TlsSecretSettings {
  name: string;
  namespace?: string;
  service?: string;
  hosts: string[];
  lifetimeMs: number;
}

/** The Secret's options once its namespace is known (the Service's names are in that namespace). */
export function certificateSecretOptions(
  s: TlsSecretSettings,
  defaultNamespace: string,
): CertificateSecretOptions {
  const namespace = s.namespace ?? defaultNamespace;
  return {
    name: s.name,
    namespace,
    names: subjectNames({ service: s.service, namespace, hosts: s.hosts }),
    lifetimeMs: s.lifetimeMs,
  };
}

export function controllerSettings(flags: OperatorFlags): ControllerSettings {
  return {
    historyLimit: flags.historyLimit,
    statusByteBudget: flags.statusByteBudget,
    verifiedActors: flags.verifiedActors,
    ...(flags.auditLog !== undefined ? { auditLog: flags.auditLog } : {}),
    ...(flags.auditSink !== undefined
      ? {
          auditSink: {
            url: flags.auditSink,
            timeoutMs: flags.auditSinkTimeout,
            retry: { baseMs: flags.auditSinkRetryBaseDelay, maxMs: flags.auditSinkRetryMaxDelay },
            concurrency: flags.auditSinkConcurrency,
          },
        }
      : {}),
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
      watches: { total: flags.maxDeliveryWatches, perNamespace: flags.maxDeliveryWatchesPerNamespace },
    },
    agentSilenceMs: flags.agentSilence,
    gateUrlAllow: flags.gateUrlAllow,
  };
}

/** `env.podName` is $POD_NAME, the default --identity. */
export function operatorConfig(flags: OperatorFlags, env: { podName?: string } = {}): OperatorConfig {
  const tls = apiTls(flags);
  const tlsSecret = apiTlsSecret(flags);
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
      ...shardSettings(flags),
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
          ui: flags.ui,
          tokenAudiences: flags.tokenAudiences,
          verifiedActors: flags.verifiedActors,
          tls,
          cacheBytes: flags.apiCacheBytes,
          ...(tlsSecret ? { tlsSecret } : {}),
          // A contact at least four times per allowed silence: a polling agent never looks silent.
          agentContactIntervalMs: Math.min(agentContactIntervalMs, flags.agentSilence / 4),
          ...shardApi(flags),
          ...reviewSettings(flags),
        }
      : undefined,
  };
}

/** --shard: a DNS label, with leader election (with --namespaces, the shard considers only those); its status writes say which shard made them. */
function shardSettings(flags: OperatorFlags): { shard?: string; fieldManager?: string } {
  const shard = flags.shard;
  if (shard === undefined) return {};
  if (!/^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/.test(shard))
    throw new UserError(`--shard: ${JSON.stringify(shard)} is not a DNS label of at most 40 characters`);
  if (!flags.leaderElect) throw new UserError('--shard needs leader election (drop --no-leader-elect)');
  return { shard, fieldManager: `depot-operator-shard-${shard}` };
}

/** --shard-api-url and --shard-api-ca: where a request for another shard's namespace goes. */
function shardApi(flags: OperatorFlags): Pick<ApiServerOptions, 'shardApi'> {
  if (flags.shardApiUrl === undefined) {
    if (flags.shardApiCa !== undefined) throw new UserError('--shard-api-ca needs --shard-api-url');
    return {};
  }
  if (flags.shard === undefined) throw new UserError('--shard-api-url needs --shard');
  let url: URL;
  try {
    url = new URL(flags.shardApiUrl.replaceAll('{shard}', 'x'));
  } catch {
    throw new UserError(`--shard-api-url: ${flags.shardApiUrl} is not a URL`);
  }
  if (!['http:', 'https:'].includes(url.protocol) || !flags.shardApiUrl.includes('{shard}'))
    throw new UserError(
      '--shard-api-url: an http(s) URL with {shard} for the shard name, e.g. https://depot-{shard}.depot-system.svc:8082',
    );
  if (flags.shardApiCa === 'secret' && flags.apiTlsSecret === undefined)
    throw new UserError('--shard-api-ca=secret needs --api-tls-secret (the Secret whose ca.crt it trusts)');
  return {
    shardApi: { urlTemplate: flags.shardApiUrl, ...(flags.shardApiCa ? { ca: flags.shardApiCa } : {}) },
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

/** The review cache, limits, budget and trusted proxies of the HTTP API. */
function reviewSettings(flags: OperatorFlags): Pick<
  Required<ApiServerOptions>,
  'trustedProxies' | 'reviewCache' | 'reviewLimits'
> & {
  reviewBudget: RateLimiterOptions;
} {
  try {
    trustedProxies(flags.apiTrustedProxies);
  } catch (err) {
    throw new UserError(`--api-trusted-proxies: ${(err as Error).message}`);
  }
  if (flags.apiReviewRefresh >= flags.apiReviewTtl)
    throw new UserError(
      `--api-review-refresh (${flags.apiReviewRefresh} ms) must be shorter than --api-review-ttl (${flags.apiReviewTtl} ms)`,
    );
  const rate = (qps: number, burstFactor: number) => ({
    qps,
    burst: Math.max(1, Math.ceil(qps * burstFactor)),
  });
  return {
    trustedProxies: flags.apiTrustedProxies,
    reviewBudget: { qps: flags.apiReviewQps, burst: flags.apiReviewBurst },
    reviewCache: {
      maxBytes: flags.apiReviewCacheBytes,
      ttlMs: flags.apiReviewTtl,
      refreshAfterMs: flags.apiReviewRefresh,
    },
    reviewLimits: {
      ...reviewLimitDefaults,
      total: rate(flags.apiNewReviews, 2),
      perAddress: rate(flags.apiNewReviewsPerAddress, 4),
      perToken: rate(flags.apiNewReviewsPerToken, 4),
    },
  };
}

function apiTls(flags: OperatorFlags): TlsFiles | undefined {
  if (!flags.apiTlsCert && !flags.apiTlsKey) return undefined;
  if (!flags.apiTlsCert || !flags.apiTlsKey)
    throw new UserError('--api-tls-cert and --api-tls-key go together: pass both or neither');
  return { certFile: flags.apiTlsCert, keyFile: flags.apiTlsKey };
}

const MIN_API_TLS_LIFETIME_MS = 10_000;

function apiTlsSecret(flags: OperatorFlags): TlsSecretSettings | undefined {
  if (!flags.apiTlsSecret) {
    const stray = [
      flags.apiTlsSecretNamespace !== undefined && '--api-tls-secret-namespace',
      flags.apiTlsService !== undefined && '--api-tls-service',
      (flags.apiTlsHosts?.length ?? 0) > 0 && '--api-tls-hosts',
    ].filter(Boolean);
    if (stray.length > 0) throw new UserError(`${stray.join(', ')}: only with --api-tls-secret`);
    return undefined;
  }
  if (flags.apiTlsCert || flags.apiTlsKey)
    throw new UserError(
      '--api-tls-secret and --api-tls-cert/--api-tls-key are two sources of a certificate: pass one',
    );
  if (!flags.apiTlsService && !flags.apiTlsHosts?.length)
    throw new UserError(
      '--api-tls-secret: the certificate needs a name: pass --api-tls-service, --api-tls-hosts or both',
    );
  if (flags.apiTlsLifetime < MIN_API_TLS_LIFETIME_MS) throw new UserError('--api-tls-lifetime: at least 10s');
  return {
    name: flags.apiTlsSecret,
    ...(flags.apiTlsSecretNamespace !== undefined ? { namespace: flags.apiTlsSecretNamespace } : {}),
    ...(flags.apiTlsService !== undefined ? { service: flags.apiTlsService } : {}),
    hosts: flags.apiTlsHosts ?? [],
    lifetimeMs: flags.apiTlsLifetime,
  };
}
