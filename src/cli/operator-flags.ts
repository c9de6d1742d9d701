// The flags of `depot operator`, as kits in the order its help lists them;
// OperatorFlags is what commander parses them to (operatorConfig maps it to
// the operator's settings).
import { Option } from 'commander';
import { applicationKind } from '../api/application.js';
import { INTEGRATION_KINDS, type IntegrationKind } from '../api/delivery.js';
import { statusMaxItems } from '../api/status-limits.js';
import { DEFAULT_HISTORY_LIMIT } from '../core/history.js';
import { DEFAULT_AGENT_SILENCE_MS } from '../core/target.js';
import { deliverySettingsDefaults } from '../controllers/delivery/registry.js';
import { deliveryDefaults } from '../controllers/delivery/tracker.js';
import { managerDefaults } from '../runtime/manager.js';
import { apiServerDefaults } from '../server/api-server.js';
import { UserError } from './errors.js';
import {
  commaList,
  deliveryAuthorizationFlags,
  durationOption,
  healthFlags,
  kubeconfigFlags,
  logFlags,
  positiveInt,
  positiveNumber,
  valueOption,
  type DeliveryAuthorizationFlags,
  type HealthFlags,
  type KubeconfigFlags,
  type LogFlags,
} from './flags.js';

/** Which objects are reconciled, how many at once and how often again. */
export interface WatchFlags {
  namespaces?: string[];
  workers: number;
  resyncPeriod: number;
}

const d = managerDefaults;

export function watchFlags(): Option[] {
  return [
    valueOption('--namespaces <list>', 'comma-separated namespaces to watch (default: all)', commaList),
    valueOption('--workers <n>', 'concurrent reconciles per controller', positiveInt('--workers'), d.workers),
    durationOption(
      '--resync-period <duration>',
      're-queue every object this often (0 = never)',
      d.resyncPeriodMs,
    ),
  ];
}

export interface LeaderElectionFlags {
  leaderElect: boolean;
  leaderElectionId: string;
  leaderElectionNamespace?: string;
  leaseDuration: number;
  renewDeadline: number;
  retryPeriod: number;
}

export function leaderElectionFlags(): Option[] {
  return [
    new Option('--no-leader-elect', 'run without leader election (only with a single replica)'),
    new Option('--leader-election-id <name>', 'name of the Lease').default('depot-operator'),
    new Option(
      '--leader-election-namespace <ns>',
      "namespace of the Lease (default: the pod's, else the kubeconfig context's, else default)",
    ),
    durationOption(
      '--lease-duration <duration>',
      'how long a standby waits before taking over an unrenewed lease',
      15_000,
    ),
    durationOption(
      '--renew-deadline <duration>',
      'how long the leader keeps trying to renew before it stops leading',
      10_000,
    ),
    durationOption(
      '--retry-period <duration>',
      'how often candidates and the leader act on the lease',
      2_000,
    ),
  ];
}

export interface MetricsFlags {
  metricsAddr: string;
}

export function metricsFlags(): Option[] {
  return [new Option('--metrics-addr <host:port>', 'address of /metrics ("0" = off)').default(':8080')];
}

/** The HTTP API, and the agents that poll it. */
export interface ApiFlags {
  apiAddr: string;
  apiAnonymousReads: boolean;
  agentSilence: number;
  apiTlsCert?: string;
  apiTlsKey?: string;
}

export function apiFlags(): Option[] {
  return [
    new Option(
      '--api-addr <host:port>',
      'address of the HTTP API /api/v1, served on every replica ("0" = off)',
    ).default(apiServerDefaults.address),
    new Option('--api-anonymous-reads', 'let requests without a token read (writes always need one)').default(
      false,
    ),
    durationOption(
      '--agent-silence <duration>',
      'a Target with delivery: agent is not Ready when its agent has not polled for this long',
      DEFAULT_AGENT_SILENCE_MS,
    ),
    new Option(
      '--api-tls-cert <file>',
      'serve the HTTP API over TLS with this certificate (reloaded on change)',
    ),
    new Option('--api-tls-key <file>', 'the private key of --api-tls-cert'),
  ];
}

/** The client-side rate limit of Kubernetes API requests. */
export interface KubeClientFlags {
  kubeApiQps: number;
  kubeApiBurst: number;
}

export function kubeClientFlags(): Option[] {
  return [
    valueOption(
      '--kube-api-qps <n>',
      'client-side limit of API requests per second',
      positiveNumber('--kube-api-qps'),
      d.qps,
    ),
    valueOption(
      '--kube-api-burst <n>',
      'API requests allowed at once above the QPS',
      positiveInt('--kube-api-burst'),
      d.burst,
    ),
  ];
}

/** What the controllers record: status.history and the audit log. */
export interface RecordFlags {
  historyLimit: number;
  auditLog?: string;
  verifiedActors: boolean;
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

export function recordFlags(): Option[] {
  return [
    valueOption(
      '--history-limit <n>',
      `entries kept in each Application status.history (at most ${MAX_HISTORY_LIMIT})`,
      historyLimit,
      DEFAULT_HISTORY_LIMIT,
    ),
    new Option(
      '--audit-log <path>',
      'file for the audit log, one JSON line per change (default: stdout, beside the logs)',
    ),
    new Option(
      '--verified-actors',
      "Depot's admission policies are installed (the chart's admissionPolicies): history actors come from their stamps; without it every actor is marked actorUnverified",
    ).default(false),
  ];
}

/** This replica's name, its shutdown, and the retries of failed reconciles. */
export interface ProcessFlags {
  identity?: string;
  shutdownTimeout: number;
  retryBaseDelay: number;
  retryMaxDelay: number;
}

export function processFlags(): Option[] {
  return [
    new Option(
      '--identity <name>',
      'name of this replica in the Lease and Events (default: $POD_NAME, else hostname_random)',
    ),
    durationOption(
      '--shutdown-timeout <duration>',
      'on SIGTERM, how long to wait for in-flight reconciles',
      d.shutdownTimeoutMs,
    ),
    durationOption(
      '--retry-base-delay <duration>',
      'first retry delay of a failed reconcile (doubles per failure)',
      d.retryBackoff.baseMs,
    ),
    durationOption(
      '--retry-max-delay <duration>',
      'longest retry delay of a failed reconcile',
      d.retryBackoff.maxMs,
    ),
  ];
}

/** Delivery to Argo CD and Flux: which integrations, their retries and Receiver calls. */
export interface DeliveryFlags extends DeliveryAuthorizationFlags {
  integrations: IntegrationKind[];
  deliveryRetryBaseDelay: number;
  deliveryRetryMaxDelay: number;
  deliveryInlineWait: number;
  receiverUrlAllow: string[];
  receiverTimeout: number;
  deliveryConcurrency: number;
}

function integrationList(value: string): IntegrationKind[] {
  const names = commaList(value);
  for (const name of names)
    if (!(INTEGRATION_KINDS as readonly string[]).includes(name))
      throw new UserError(
        `--integrations: unknown integration "${name}" (known: ${INTEGRATION_KINDS.join(', ')})`,
      );
  return [...new Set(names)] as IntegrationKind[];
}

/** Adds the comma-separated prefixes of one --receiver-url-allow; each must be an http(s) URL. */
function receiverPrefixes(value: string, previous: string[]): string[] {
  const added = commaList(value);
  for (const prefix of added) {
    const url = URL.parse(prefix);
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
      throw new UserError(`--receiver-url-allow: ${prefix} is not an http:// or https:// URL prefix`);
  }
  return [...previous, ...added];
}

export function deliveryFlags(): Option[] {
  return [
    valueOption(
      '--integrations <list>',
      `delivery integrations to run, comma-separated (${INTEGRATION_KINDS.join(', ')}; "" = none); a Target of another is Blocked`,
      integrationList,
      [...INTEGRATION_KINDS],
    ),
    ...deliveryAuthorizationFlags(
      'write Argo CD / Flux objects without their depot.sh/authorized-targets opt-in (single-tenant clusters only)',
    ),
    durationOption(
      '--delivery-retry-base-delay <duration>',
      'first retry delay of a failed delivery to one target (doubles per failure)',
      deliveryDefaults.retry.baseMs,
    ),
    durationOption(
      '--delivery-retry-max-delay <duration>',
      'longest retry delay of a failed delivery to one target',
      deliveryDefaults.retry.maxMs,
    ),
    durationOption(
      '--delivery-inline-wait <duration>',
      "how long an application's reconcile waits for the deliveries it started, so they land in the same status write (0 = not at all)",
      deliveryDefaults.inlineWaitMs,
    ),
    valueOption(
      '--receiver-url-allow <prefixes>',
      'URL prefixes Flux Receiver calls may go to, comma-separated or repeated (default: none, so no Receiver is called)',
      receiverPrefixes,
      [] as string[],
    ),
    durationOption(
      '--receiver-timeout <duration>',
      'how long a Flux Receiver call may take',
      deliverySettingsDefaults.httpTimeoutMs,
    ),
    valueOption(
      '--delivery-concurrency <n>',
      'delivery attempts in flight at once, over all targets',
      positiveInt('--delivery-concurrency'),
      deliveryDefaults.concurrency,
    ),
  ];
}

export type OperatorFlags = KubeconfigFlags &
  WatchFlags &
  LeaderElectionFlags &
  HealthFlags &
  MetricsFlags &
  ApiFlags &
  KubeClientFlags &
  LogFlags &
  RecordFlags &
  ProcessFlags &
  DeliveryFlags;

/** Every flag of `depot operator`, in the order of its help. */
export function operatorFlags(): Option[][] {
  return [
    kubeconfigFlags({
      kubeconfig: 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)',
      context: 'kubeconfig context (default: the current one)',
    }),
    watchFlags(),
    leaderElectionFlags(),
    healthFlags('address of /healthz and /readyz ("0" = off)'),
    metricsFlags(),
    apiFlags(),
    kubeClientFlags(),
    logFlags(),
    recordFlags(),
    processFlags(),
    deliveryFlags(),
  ];
}
