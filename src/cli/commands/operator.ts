// `depot operator`: runs Depot's controllers against a cluster, with leader
// election, health/readiness/metrics endpoints and graceful shutdown. The
// probe operator of the integration tests registers this same command with
// its own controllers, so tests run exactly this code.
import { existsSync, readFileSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import { Command, Option } from 'commander';
import { controllers as depotControllers } from '../../controllers/index.js';
import type { DepotHooks } from '../../controllers/options.js';
import { deliverySettingsDefaults } from '../../controllers/delivery/registry.js';
import { deliveryDefaults } from '../../controllers/delivery/tracker.js';
import { applicationKind } from '../../api/application.js';
import { DEFAULT_HISTORY_LIMIT } from '../../core/history.js';
import { statusMaxItems } from '../../api/status-limits.js';
import { createAuditLog } from '../../runtime/audit-log.js';
import type { ControllerDeps } from '../../runtime/controller-deps.js';
import { formatDuration, parseDuration } from '../../kube/duration.js';
import { createLogger, logLevels, type LogLevel } from '../../runtime/log.js';
import { Manager, managerDefaults } from '../../runtime/manager.js';
import type { ControllerSpec } from '../../runtime/reconciler.js';
import { agentContactIntervalMs } from '../../server/agent-contacts.js';
import { ApiServer, apiServerDefaults } from '../../server/api-server.js';
import { parseAddress } from '../../runtime/health.js';
import { DEFAULT_AGENT_SILENCE_MS } from '../../core/target.js';
import { loadKubeConfig } from '../../client/depot-client.js';
import { UserError } from '../errors.js';
import { INTEGRATION_KINDS, type IntegrationKind } from '../../api/delivery.js';

export type ControllerFactory = (deps: ControllerDeps, flags: OperatorFlags) => ControllerSpec[];

/** Depot's controllers with the Depot flags of `depot operator` (and, from tests' own entry points, hooks). */
export function depotFactory(hooks: DepotHooks = {}): ControllerFactory {
  return (deps, flags) =>
    depotControllers(deps, {
      historyLimit: flags.historyLimit,
      audit: createAuditLog(flags.auditLog),
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
      hooks,
    });
}

export interface OperatorFlags {
  historyLimit: number;
  deliveryAuthorization: boolean;
  deliveryRetryBaseDelay: number;
  deliveryRetryMaxDelay: number;
  deliveryConcurrency: number;
  deliveryInlineWait: number;
  integrations: IntegrationKind[];
  receiverUrlAllow: string[];
  receiverTimeout: number;
  auditLog?: string;
  kubeconfig?: string;
  context?: string;
  namespaces?: string[];
  workers: number;
  resyncPeriod: number;
  leaderElect: boolean;
  leaderElectionId: string;
  leaderElectionNamespace?: string;
  leaseDuration: number;
  renewDeadline: number;
  retryPeriod: number;
  healthAddr: string;
  metricsAddr: string;
  kubeApiQps: number;
  kubeApiBurst: number;
  logLevel: LogLevel;
  identity?: string;
  shutdownTimeout: number;
  retryBaseDelay: number;
  retryMaxDelay: number;
  apiAddr: string;
  agentSilence: number;
  apiAnonymousReads: boolean;
  apiTlsCert?: string;
  apiTlsKey?: string;
}

const serviceAccountNamespace = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export function registerOperator(program: Command, factory: ControllerFactory = depotFactory()): Command {
  const d = managerDefaults;
  return program
    .command('operator')
    .description('run the Depot operator (controllers, leader election, /healthz /readyz /metrics)')
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option('--context <name>', 'kubeconfig context (default: the current one)')
    .option('--namespaces <list>', 'comma-separated namespaces to watch (default: all)', (v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .option('--workers <n>', 'concurrent reconciles per controller', positiveInt('--workers'), d.workers)
    .addOption(
      durationOption(
        '--resync-period <duration>',
        're-queue every object this often (0 = never)',
        d.resyncPeriodMs,
      ),
    )
    .option('--no-leader-elect', 'run without leader election (only with a single replica)')
    .option('--leader-election-id <name>', 'name of the Lease', 'depot-operator')
    .option(
      '--leader-election-namespace <ns>',
      "namespace of the Lease (default: the pod's, else the kubeconfig context's, else default)",
    )
    .addOption(
      durationOption(
        '--lease-duration <duration>',
        'how long a standby waits before taking over an unrenewed lease',
        15_000,
      ),
    )
    .addOption(
      durationOption(
        '--renew-deadline <duration>',
        'how long the leader keeps trying to renew before it stops leading',
        10_000,
      ),
    )
    .addOption(
      durationOption(
        '--retry-period <duration>',
        'how often candidates and the leader act on the lease',
        2_000,
      ),
    )
    .option('--health-addr <host:port>', 'address of /healthz and /readyz ("0" = off)', ':8081')
    .option('--metrics-addr <host:port>', 'address of /metrics ("0" = off)', ':8080')
    .option(
      '--api-addr <host:port>',
      'address of the HTTP API /api/v1, served on every replica ("0" = off)',
      apiServerDefaults.address,
    )
    .option('--api-anonymous-reads', 'let requests without a token read (writes always need one)', false)
    .addOption(
      durationOption(
        '--agent-silence <duration>',
        'a Target with delivery: agent is not Ready when its agent has not polled for this long',
        DEFAULT_AGENT_SILENCE_MS,
      ),
    )
    .option('--api-tls-cert <file>', 'serve the HTTP API over TLS with this certificate (reloaded on change)')
    .option('--api-tls-key <file>', 'the private key of --api-tls-cert')
    .option(
      '--kube-api-qps <n>',
      'client-side limit of API requests per second',
      positiveNumber('--kube-api-qps'),
      d.qps,
    )
    .option(
      '--kube-api-burst <n>',
      'API requests allowed at once above the QPS',
      positiveInt('--kube-api-burst'),
      d.burst,
    )
    .addOption(new Option('--log-level <level>', 'log level').choices(logLevels).default('info'))
    .option(
      '--history-limit <n>',
      `entries kept in each Application status.history (at most ${MAX_HISTORY_LIMIT})`,
      historyLimit,
      DEFAULT_HISTORY_LIMIT,
    )
    .option(
      '--audit-log <path>',
      'file for the audit log, one JSON line per change (default: stdout, beside the logs)',
    )
    .option(
      '--identity <name>',
      'name of this replica in the Lease and Events (default: $POD_NAME, else hostname_random)',
    )
    .addOption(
      durationOption(
        '--shutdown-timeout <duration>',
        'on SIGTERM, how long to wait for in-flight reconciles',
        d.shutdownTimeoutMs,
      ),
    )
    .addOption(
      durationOption(
        '--retry-base-delay <duration>',
        'first retry delay of a failed reconcile (doubles per failure)',
        d.retryBackoff.baseMs,
      ),
    )
    .addOption(
      durationOption(
        '--retry-max-delay <duration>',
        'longest retry delay of a failed reconcile',
        d.retryBackoff.maxMs,
      ),
    )
    .option(
      '--integrations <list>',
      `delivery integrations to run, comma-separated (${INTEGRATION_KINDS.join(', ')}; "" = none); a Target of another is Blocked`,
      integrationList,
      [...INTEGRATION_KINDS],
    )
    .option(
      '--no-delivery-authorization',
      'write Argo CD / Flux objects without their depot.sh/authorized-targets opt-in (single-tenant clusters only)',
    )
    .addOption(
      durationOption(
        '--delivery-retry-base-delay <duration>',
        'first retry delay of a failed delivery to one target (doubles per failure)',
        deliveryDefaults.retry.baseMs,
      ),
    )
    .addOption(
      durationOption(
        '--delivery-retry-max-delay <duration>',
        'longest retry delay of a failed delivery to one target',
        deliveryDefaults.retry.maxMs,
      ),
    )
    .addOption(
      durationOption(
        '--delivery-inline-wait <duration>',
        "how long an application's reconcile waits for the deliveries it started, so they land in the same status write (0 = not at all)",
        deliveryDefaults.inlineWaitMs,
      ),
    )
    .option(
      '--receiver-url-allow <prefixes>',
      'URL prefixes Flux Receiver calls may go to, comma-separated or repeated (default: none, so no Receiver is called)',
      receiverPrefixes,
      [] as string[],
    )
    .addOption(
      durationOption(
        '--receiver-timeout <duration>',
        'how long a Flux Receiver call may take',
        deliverySettingsDefaults.httpTimeoutMs,
      ),
    )
    .option(
      '--delivery-concurrency <n>',
      'delivery attempts in flight at once, over all targets',
      positiveInt('--delivery-concurrency'),
      deliveryDefaults.concurrency,
    )
    .action(async (flags: OperatorFlags) => {
      process.exitCode = await runOperator(flags, factory);
      // Everything is stopped and logs are written synchronously: exit even if a socket lingers.
      process.exit();
    });
}

export async function runOperator(flags: OperatorFlags, factory: ControllerFactory): Promise<number> {
  // Flags that can only be wrong are refused before anything starts.
  const tls = apiTls(flags);
  const apiOn = apiAddress(flags.apiAddr) !== undefined;
  const log = createLogger({ level: flags.logLevel });
  const kubeConfig = loadKubeConfig({ kubeconfig: flags.kubeconfig, context: flags.context });
  const manager = new Manager({
    kubeConfig,
    namespaces: flags.namespaces,
    workers: flags.workers,
    resyncPeriodMs: flags.resyncPeriod,
    retryBackoff: { baseMs: flags.retryBaseDelay, maxMs: flags.retryMaxDelay },
    qps: flags.kubeApiQps,
    burst: flags.kubeApiBurst,
    leaderElection: flags.leaderElect
      ? {
          leaseName: flags.leaderElectionId,
          leaseNamespace: flags.leaderElectionNamespace ?? defaultLeaseNamespace(kubeConfig),
          leaseDurationMs: flags.leaseDuration,
          renewDeadlineMs: flags.renewDeadline,
          retryPeriodMs: flags.retryPeriod,
        }
      : undefined,
    identity: flags.identity ?? process.env.POD_NAME,
    healthAddress: flags.healthAddr,
    metricsAddress: flags.metricsAddr,
    shutdownTimeoutMs: flags.shutdownTimeout,
    log,
  });
  manager.add(...factory(manager.deps, flags));
  if (apiOn)
    manager.addRunnable(
      new ApiServer(manager.deps, {
        address: flags.apiAddr,
        anonymousReads: flags.apiAnonymousReads,
        tls,
        // A contact at least four times per allowed silence: a polling agent never looks silent.
        agentContactIntervalMs: Math.min(agentContactIntervalMs, flags.agentSilence / 4),
      }),
    );

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

/** The HTTP API's address, undefined when off ("0"); a malformed one is a usage error. */
function apiAddress(address: string): { host: string; port: number } | undefined {
  try {
    return parseAddress(address);
  } catch (err) {
    throw new UserError(`--api-addr: ${(err as Error).message}`);
  }
}

function apiTls(flags: OperatorFlags): { certFile: string; keyFile: string } | undefined {
  if (!flags.apiTlsCert && !flags.apiTlsKey) return undefined;
  if (!flags.apiTlsCert || !flags.apiTlsKey)
    throw new UserError('--api-tls-cert and --api-tls-key go together: pass both or neither');
  for (const file of [flags.apiTlsCert, flags.apiTlsKey])
    if (!existsSync(file)) throw new UserError(`${file}: no such file (--api-tls-cert/--api-tls-key)`);
  return { certFile: flags.apiTlsCert, keyFile: flags.apiTlsKey };
}

function defaultLeaseNamespace(kc: KubeConfig): string {
  if (existsSync(serviceAccountNamespace)) return readFileSync(serviceAccountNamespace, 'utf8').trim();
  return kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
}

/** A Go-style duration flag whose help shows its default as a duration. */
function durationOption(flags: string, description: string, defaultMs: number): Option {
  return new Option(flags, description)
    .argParser((v: string) => {
      try {
        return parseDuration(v);
      } catch (err) {
        throw new UserError(`${flags.split(' ')[0]}: ${(err as Error).message}`);
      }
    })
    .default(defaultMs, formatDuration(defaultMs));
}

/** Adds the comma-separated prefixes of one --receiver-url-allow; each must be an http(s) URL. */
function integrationList(value: string): IntegrationKind[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of names)
    if (!(INTEGRATION_KINDS as readonly string[]).includes(name))
      throw new UserError(
        `--integrations: unknown integration "${name}" (known: ${INTEGRATION_KINDS.join(', ')})`,
      );
  return [...new Set(names)] as IntegrationKind[];
}

function receiverPrefixes(value: string, previous: string[]): string[] {
  const added = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const prefix of added) {
    const url = URL.parse(prefix);
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
      throw new UserError(`--receiver-url-allow: ${prefix} is not an http:// or https:// URL prefix`);
  }
  return [...previous, ...added];
}

function positiveInt(flag: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1)
      throw new UserError(`${flag} must be a whole number of at least 1, got "${v}"`);
    return n;
  };
}

/** The CRD bounds status.history: a longer history would make every status write fail with 422. */
const MAX_HISTORY_LIMIT = statusMaxItems(applicationKind, ['history']);

function historyLimit(v: string): number {
  const n = positiveInt('--history-limit')(v);
  if (n > MAX_HISTORY_LIMIT)
    throw new UserError(
      `--history-limit ${n} is above ${MAX_HISTORY_LIMIT}, the most entries the Application CRD allows in status.history`,
    );
  return n;
}

function positiveNumber(flag: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new UserError(`${flag} must be a positive number, got "${v}"`);
    return n;
  };
}
