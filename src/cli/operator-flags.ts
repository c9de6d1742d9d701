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
import { watchLimitDefaults } from '../controllers/delivery/watched-objects.js';
import { auditSinkDefaults } from '../controllers/history-sink.js';
import { managerDefaults } from '../runtime/manager.js';
import { apiServerDefaults } from '../server/api-server.js';
import { DEFAULT_TOKEN_AUDIENCES } from '../server/token-audiences.js';
import { reviewBudgetDefaults, reviewCacheDefaults } from '../server/access-review.js';
import { reviewLimitDefaults } from '../server/review-admission.js';
import { DEFAULT_REPRESENTATION_CACHE_BYTES } from '../server/representations.js';
import { DEFAULT_STATUS_BYTE_BUDGET } from '../core/status-budget.js';
import { UserError } from './errors.js';
import {
  byteSize,
  commaList,
  formatBytes,
  deliveryAuthorizationFlags,
  durationOption,
  healthFlags,
  kubeconfigFlags,
  logFlags,
  positiveInt,
  positiveNumber,
  urlPrefixes,
  valueOption,
  type DeliveryAuthorizationFlags,
  type HealthFlags,
  type KubeconfigFlags,
  type LogFlags,
} from './flags.js';

/** Which objects are reconciled, how many at once and how often again. */
export interface WatchFlags {
  namespaces?: string[];
  shard?: string;
  workers: number;
  resyncPeriod: number;
}

const d = managerDefaults;

export function watchFlags(): Option[] {
  return [
    valueOption('--namespaces <list>', 'comma-separated namespaces to watch (default: all)', commaList),
    new Option(
      '--shard <name>',
      'run as this shard: own the namespaces labelled depot.sh/shard=<name> (unlabelled ones: the shard named default), handed over through a Lease per namespace',
    ),
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
  shardApiUrl?: string;
  shardApiCa?: string;
  apiAddr: string;
  apiAnonymousReads: boolean;
  /** Serve the dashboard's page at / (--ui, the default; --no-ui turns it off). */
  ui: boolean;
  agentSilence: number;
  apiTlsCert?: string;
  apiTlsKey?: string;
  tokenAudiences: string[];
  apiTrustedProxies: string[];
  apiReviewQps: number;
  apiReviewBurst: number;
  apiNewReviews: number;
  apiNewReviewsPerAddress: number;
  apiNewReviewsPerToken: number;
  apiReviewCacheBytes: number;
  apiReviewTtl: number;
  apiReviewRefresh: number;
  apiCacheBytes: number;
  apiTlsSecret?: string;
  apiTlsSecretNamespace?: string;
  apiTlsService?: string;
  apiTlsHosts?: string[];
  apiTlsLifetime: number;
}

/** Default lifetime of a generated HTTP API certificate (cert-manager's default too). */
export const DEFAULT_API_TLS_LIFETIME_MS = 90 * 24 * 3_600_000;

export function apiFlags(): Option[] {
  return [
    new Option(
      '--api-addr <host:port>',
      'address of the HTTP API /api/v1, served on every replica ("0" = off)',
    ).default(apiServerDefaults.address),
    new Option('--api-anonymous-reads', 'let requests without a token read (writes always need one)').default(
      false,
    ),
    new Option(
      '--shard-api-url <url>',
      "with --shard: where another shard's HTTP API is, {shard} standing for its name (a request for a namespace it holds is passed there)",
    ),
    new Option(
      '--shard-api-ca <file|secret>',
      "with --shard-api-url over https: the CA (PEM file) other shards' certificates are checked against; secret: the ca.crt of --api-tls-secret (default: the system's CAs)",
    ),
    new Option(
      '--ui',
      'serve the dashboard page at / of the HTTP API (default; --no-ui: only /api/v1)',
    ).default(true),
    new Option('--no-ui', 'do not serve the dashboard page (the API and its dashboard endpoints stay)'),
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
    new Option(
      '--api-tls-secret <name>',
      'serve the HTTP API over TLS with a certificate the operator issues and keeps in this Secret (created by the first replica, shared by all, rotated with a third of its lifetime left)',
    ),
    new Option(
      '--api-tls-secret-namespace <ns>',
      "namespace of --api-tls-secret (default: the pod's, else the kubeconfig context's, else default)",
    ),
    new Option(
      '--api-tls-service <name>',
      "a Service whose DNS names (name, name.ns, name.ns.svc, name.ns.svc.cluster.local) the generated certificate carries; ns is the Secret's",
    ),
    valueOption(
      '--api-tls-hosts <list>',
      'more DNS names or IP addresses the generated certificate carries, comma-separated',
      commaList,
    ),
    durationOption(
      '--api-tls-lifetime <duration>',
      'lifetime of a generated certificate (its CA lives ten times longer)',
      DEFAULT_API_TLS_LIFETIME_MS,
    ),
    valueOption(
      '--token-audiences <list>',
      "audiences a bearer token must be made for (comma-separated; TokenReview status.audiences); add the API server's own audience to accept legacy token Secrets and OIDC user tokens",
      audienceList,
      [...DEFAULT_TOKEN_AUDIENCES],
    ),
    new Option(
      '--api-cache-bytes <size>',
      'bytes of read answers the HTTP API keeps for ETags (e.g. 64Mi); the least recently used go first',
    )
      .argParser(byteSize('--api-cache-bytes'))
      .default(DEFAULT_REPRESENTATION_CACHE_BYTES, formatBytes(DEFAULT_REPRESENTATION_CACHE_BYTES)),
    ...reviewFlags(),
  ];
}

const limits = reviewLimitDefaults;

/** The HTTP API's TokenReviews and SubjectAccessReviews: their cache, limits and API budget. */
function reviewFlags(): Option[] {
  return [
    valueOption(
      '--api-trusted-proxies <cidrs>',
      'proxies (comma-separated CIDRs) whose X-Forwarded-For names the client, for the per-address limit',
      commaList,
      [] as string[],
    ),
    valueOption(
      '--api-review-qps <n>',
      'API requests per second for TokenReviews and SubjectAccessReviews, apart from --kube-api-qps',
      positiveNumber('--api-review-qps'),
      reviewBudgetDefaults.qps,
    ),
    valueOption(
      '--api-review-burst <n>',
      'review requests allowed at once above --api-review-qps',
      positiveInt('--api-review-burst'),
      reviewBudgetDefaults.burst,
    ),
    valueOption(
      '--api-new-reviews <n>',
      'new reviews per second over all clients (tokens seen recently excepted; burst twice); beyond it 429',
      positiveNumber('--api-new-reviews'),
      limits.total.qps,
    ),
    valueOption(
      '--api-new-reviews-per-address <n>',
      'new reviews per second per client address (burst four times); beyond it 429',
      positiveNumber('--api-new-reviews-per-address'),
      limits.perAddress.qps,
    ),
    valueOption(
      '--api-new-reviews-per-token <n>',
      'new reviews per second per token (burst four times); beyond it 429',
      positiveNumber('--api-new-reviews-per-token'),
      limits.perToken.qps,
    ),
    valueOption(
      '--api-review-cache-bytes <n>',
      'bytes of review answers kept (least recently used go first)',
      positiveInt('--api-review-cache-bytes'),
      reviewCacheDefaults.maxBytes,
    ),
    durationOption(
      '--api-review-ttl <duration>',
      'how long an accepted token or allowed access is kept (refreshed while in use)',
      reviewCacheDefaults.ttlMs,
    ),
    durationOption(
      '--api-review-refresh <duration>',
      'an answer in use older than this is reviewed again in the background (how late a revoked right applies)',
      reviewCacheDefaults.refreshAfterMs,
    ),
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
  statusByteBudget: number;
  auditLog?: string;
  verifiedActors: boolean;
  auditSink?: string;
  auditSinkTimeout: number;
  auditSinkRetryBaseDelay: number;
  auditSinkRetryMaxDelay: number;
  auditSinkConcurrency: number;
}

/** The sink's URL: http(s), with no credentials in it (they would show in the Deployment). */
function auditSinkUrl(value: string): string {
  const url = URL.parse(value);
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new UserError(`--audit-sink: ${value} is not an http:// or https:// URL`);
  if (url.username || url.password)
    throw new UserError('--audit-sink: the URL may not carry a user or password');
  return value;
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

/** etcd refuses requests over 1.5 MiB by default, and the status is only part of the object. */
const MAX_STATUS_BYTE_BUDGET = 1024 * 1024;
const MIN_STATUS_BYTE_BUDGET = 16 * 1024;

function statusByteBudget(v: string): number {
  const n = byteSize('--status-byte-budget')(v);
  if (n > MAX_STATUS_BYTE_BUDGET || n < MIN_STATUS_BYTE_BUDGET)
    throw new UserError(
      `--status-byte-budget ${v} is outside 16Ki..1Mi: etcd refuses objects over 1.5 MiB by default, and the spec and metadata need room too`,
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
      '--status-byte-budget <size>',
      "bytes an Application's status may take (e.g. 512Ki, well under etcd's 1.5 MiB request limit): the oldest history entries go first, then long messages are shortened",
    )
      .argParser(statusByteBudget)
      .default(DEFAULT_STATUS_BYTE_BUDGET, formatBytes(DEFAULT_STATUS_BYTE_BUDGET)),
    new Option(
      '--audit-log <path>',
      'file for the audit log, one JSON line per change (default: stdout, beside the logs)',
    ),
    new Option(
      '--verified-actors',
      "Depot's admission policies are installed (the chart's admissionPolicies): history actors come from their stamps; without it every actor is marked actorUnverified",
    ).default(false),
    valueOption(
      '--audit-sink <url>',
      'CloudEvents receiver (HTTP, structured JSON mode) that gets every history entry, at least once, with its id as the event id (default: none)',
      auditSinkUrl,
    ),
    durationOption(
      '--audit-sink-timeout <duration>',
      'how long one POST to the audit sink may take',
      auditSinkDefaults.timeoutMs,
    ),
    durationOption(
      '--audit-sink-retry-base-delay <duration>',
      'first wait after the audit sink failed (doubles per failure)',
      auditSinkDefaults.retry.baseMs,
    ),
    durationOption(
      '--audit-sink-retry-max-delay <duration>',
      'longest wait between tries while the audit sink fails',
      auditSinkDefaults.retry.maxMs,
    ),
    valueOption(
      '--audit-sink-concurrency <n>',
      'POSTs to the audit sink on their way at once, each of a different Application (the entries of one go in order)',
      positiveInt('--audit-sink-concurrency'),
      auditSinkDefaults.concurrency,
    ),
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
  maxDeliveryWatches: number;
  maxDeliveryWatchesPerNamespace: number;
  gateUrlAllow: string[];
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

export function deliveryFlags(): Option[] {
  return [
    valueOption(
      '--integrations <list>',
      `delivery integrations to run, comma-separated (${INTEGRATION_KINDS.join(', ')}; "" = none); a Target of another is Blocked`,
      integrationList,
      [...INTEGRATION_KINDS],
    ),
    ...deliveryAuthorizationFlags(
      'read and write Argo CD / Flux objects, any field, without their depot.sh/authorized-targets and depot.sh/authorized-fields consent (single-tenant clusters only)',
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
      "how long an application's reconcile waits for each delivery it started once it runs, so it lands in the same status write (its worker serves others meanwhile; 0 = not at all)",
      deliveryDefaults.inlineWaitMs,
    ),
    valueOption(
      '--receiver-url-allow <prefixes>',
      'URL prefixes Flux Receiver calls may go to, comma-separated or repeated (default: none, so no Receiver is called)',
      urlPrefixes('--receiver-url-allow'),
      [] as string[],
    ),
    durationOption(
      '--receiver-timeout <duration>',
      'how long a Flux Receiver call may take',
      deliverySettingsDefaults.httpTimeoutMs,
    ),
    valueOption(
      '--delivery-concurrency <n>',
      'delivery attempts in flight at once, over all targets (their writes are bounded by this, not by --kube-api-qps)',
      positiveInt('--delivery-concurrency'),
      deliveryDefaults.concurrency,
    ),
    valueOption(
      '--max-delivery-watches <n>',
      'most informers (one list and watch per kind and namespace) open for the Argo CD and Flux objects Targets name; a delivery that needs one more is Failed, saying so',
      positiveInt('--max-delivery-watches'),
      watchLimitDefaults.total,
    ),
    valueOption(
      '--max-delivery-watches-per-namespace <n>',
      'most such informers the Applications of one namespace (one tenant) may use together',
      positiveInt('--max-delivery-watches-per-namespace'),
      watchLimitDefaults.perNamespace,
    ),
    valueOption(
      '--gate-url-allow <prefixes>',
      'URL prefixes promotion gates (Promotion spec.gates) may call, comma-separated or repeated (default: none, so a Promotion with gates is not Ready)',
      urlPrefixes('--gate-url-allow'),
      [] as string[],
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

/** The audiences of --token-audiences: replaces the default; at least one. */
function audienceList(value: string): string[] {
  const audiences = [...new Set(commaList(value))];
  if (audiences.length === 0)
    throw new UserError('--token-audiences: name at least one audience (the default is depot)');
  return audiences;
}
