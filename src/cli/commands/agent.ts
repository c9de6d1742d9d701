// `depot agent`: runs in a remote cluster and serves one Target (delivery:
// agent) of a Depot server it reaches over HTTP: polls the target's
// versions, applies them with the operator's own Argo CD delivery code in
// this cluster, and reports what is deployed (src/agent/).
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { loadKubeConfig } from '../../client/depot-client.js';
import { Agent, agentDefaults } from '../../agent/agent.js';
import { agentDeliveryIO } from '../../agent/delivery-io.js';
import { HubClient, ServerTooOldError } from '../../agent/hub-client.js';
import type { Delivery } from '../../api/delivery.js';
import type { Deliverer } from '../../core/delivery.js';
import { argocdDeliverer } from '../../integrations/argocd/deliverer.js';
import { fluxDeliverer } from '../../integrations/flux/deliverer.js';
import { parseLocalDelivery } from '../../agent/local-delivery.js';
import { KubeClient } from '../../kube/client.js';
import { realClock } from '../../kube/clock.js';
import { formatDuration } from '../../kube/duration.js';
import { ApiTransport } from '../../kube/transport.js';
import { Counter } from 'prom-client';
import { Endpoints } from '../../runtime/health.js';
import { InformerFactory } from '../../runtime/informer-factory.js';
import { createLogger } from '../../runtime/log.js';
import { RuntimeMetrics } from '../../runtime/metrics.js';
import { UserError } from '../errors.js';
import {
  addOptions,
  appendCommaList,
  deliveryAuthorizationFlags,
  durationOption,
  fraction,
  healthFlags,
  kubeconfigFlags,
  logFlags,
  valueOption,
  type DeliveryAuthorizationFlags,
  type HealthFlags,
  type KubeconfigFlags,
  type LogFlags,
} from '../flags.js';

type AgentFlags = HubFlags &
  KubeconfigFlags &
  PollFlags &
  LocalDeliveryFlags &
  DeliveryAuthorizationFlags &
  HealthFlags &
  LogFlags;

/** The Depot server and the Target this agent serves. */
interface HubFlags {
  server: string;
  namespace: string;
  target: string;
  tokenFile: string;
}

function hubFlags(): Option[] {
  return [
    new Option('--server <url>', 'the Depot HTTP API, e.g. https://depot.example:8082').makeOptionMandatory(),
    new Option('--namespace <ns>', 'namespace of the Target on the Depot server').makeOptionMandatory(),
    new Option('--target <name>', 'the Target this agent serves').makeOptionMandatory(),
    new Option(
      '--token-file <path>',
      'file holding a bearer token for the server (read before every request: rotated tokens work)',
    ).makeOptionMandatory(),
  ];
}

interface PollFlags {
  interval: number;
  jitter: number;
}

function pollFlags(): Option[] {
  return [
    durationOption('--interval <duration>', 'how often to poll', agentDefaults.intervalMs),
    valueOption(
      '--jitter <fraction>',
      'shorten each wait by a random share up to this (0..1), so agents do not poll in step',
      fraction('--jitter'),
      agentDefaults.jitter,
    ),
  ];
}

/** How versions are applied in this cluster. */
interface LocalDeliveryFlags {
  delivery: 'argocd' | 'none';
  deliveryFile?: string;
  receiverUrlAllow: string[];
  argocdNamespace: string;
  argocdApplicationName: string;
}

function localDeliveryFlags(): Option[] {
  return [
    new Option('--delivery <kind>', 'how versions are applied here')
      .choices(['argocd', 'none'])
      .default('argocd'),
    new Option(
      '--delivery-file <path>',
      "how versions are applied here, as a Target's spec.delivery in YAML (argocd or flux, e.g. a Flux patch); replaces --delivery and --argocd-*",
    ),
    valueOption(
      '--receiver-url-allow <prefixes>',
      'URL prefixes a Flux Receiver of --delivery-file may have (comma-separated)',
      appendCommaList,
      [] as string[],
    ),
    new Option('--argocd-namespace <ns>', 'namespace of the Argo CD Applications').default('argocd'),
    new Option(
      '--argocd-application-name <template>',
      'name of the Argo CD Application, a template (${application}, ${environment}, ${target}, ${namespace})',
    ).default('${application}'),
  ];
}

export function registerAgent(program: Command): void {
  const command = program
    .command('agent')
    .description(
      "serve one Target (delivery: agent) from this cluster: poll its versions from a Depot server's HTTP API, deliver them here, report what is deployed",
    );
  addOptions(
    command,
    hubFlags(),
    kubeconfigFlags({
      kubeconfig: 'kubeconfig of this cluster (default: $KUBECONFIG, ~/.kube/config, or in-cluster)',
      context: 'kubeconfig context',
    }),
    pollFlags(),
    localDeliveryFlags(),
    deliveryAuthorizationFlags(
      'write Argo CD Applications without the depot.sh/authorized-targets opt-in (single-tenant clusters)',
    ),
    healthFlags('address of /healthz, /readyz (the last poll succeeded) and /metrics ("0" = off)'),
    logFlags(),
  ).action(async (flags: AgentFlags) => {
    process.exitCode = await runAgent(flags);
    process.exit();
  });
}

async function runAgent(flags: AgentFlags): Promise<number> {
  const log = createLogger({ level: flags.logLevel, name: 'depot-agent' });
  const token = () => {
    try {
      const t = readFileSync(flags.tokenFile, 'utf8').trim();
      if (!t) throw new Error('the file is empty');
      return t;
    } catch (err) {
      throw new UserError(`--token-file ${flags.tokenFile}: ${(err as Error).message}`);
    }
  };
  token(); // a missing token file is a usage error now, not a retry loop
  const delivery = localDelivery(flags);
  let url: URL;
  try {
    url = new URL(flags.server);
  } catch {
    throw new UserError(`--server ${flags.server}: not a URL (e.g. https://depot.example:8082)`);
  }
  const kubeConfig = loadKubeConfig({ kubeconfig: flags.kubeconfig, context: flags.context });
  const metrics = new RuntimeMetrics();
  const transport = new ApiTransport({ kubeConfig, metrics, clock: realClock, userAgent: 'depot-agent' });
  const client = new KubeClient(transport);
  const informers = new InformerFactory({ kubeConfig, client, metrics, log, clock: realClock });
  informers.start();
  const settings = {
    checkAuthorization: flags.deliveryAuthorization,
    receiverUrlAllow: flags.receiverUrlAllow,
    httpTimeoutMs: 10_000,
  };
  // The same integrations as the operator, on this cluster's informers; each starts watching on first use.
  const deliverers = new Map<Deliverer['kind'], Deliverer>([
    ['argocd', argocdDeliverer(agentDeliveryIO(informers, client, 'argocd'), settings)],
    ['flux', fluxDeliverer(agentDeliveryIO(informers, client, 'flux'), settings)],
  ]);
  const polls = new Counter({
    name: 'depot_agent_polls_total',
    help: "Polls of the target's versions by result (changed, unchanged, error).",
    labelNames: ['result'] as const,
    registers: [metrics.registry],
  });
  const agent = new Agent({
    hub: new HubClient({ server: url.toString(), namespace: flags.namespace, target: flags.target, token }),
    delivery,
    deliverers,
    intervalMs: flags.interval,
    jitter: flags.jitter,
    backoff: agentDefaults.backoff,
    log,
    clock: realClock,
    onPoll: (result) => polls.inc({ result }),
  });
  const endpoints = new Endpoints({
    addresses: [flags.healthAddr],
    registry: metrics.registry,
    ready: () =>
      agent.lastSuccess !== undefined && agent.lastError === undefined
        ? { ok: true, problems: [] }
        : { ok: false, problems: [agent.lastError ?? 'no successful poll yet'] },
  });
  const endpointAddresses = (await endpoints.start()).map((a) => `${a.address}:${a.port}`);
  const stop = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => stop.abort());
  log.info(
    {
      server: url.origin,
      namespace: flags.namespace,
      target: flags.target,
      delivery: Object.keys(delivery)[0],
      interval: formatDuration(flags.interval),
      endpoints: endpointAddresses,
    },
    'agent started',
  );
  const keepAlive = setInterval(() => undefined, 60_000);
  try {
    await agent.run(stop.signal);
  } catch (err) {
    if (err instanceof ServerTooOldError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    clearInterval(keepAlive);
    await endpoints.stop();
    await informers.stop();
    await transport.pool.close();
  }
  log.info('agent stopped');
  return 0;
}

function localDelivery(flags: AgentFlags): Delivery {
  if (flags.deliveryFile) {
    let text: string;
    try {
      text = readFileSync(flags.deliveryFile, 'utf8');
    } catch (err) {
      throw new UserError(`--delivery-file ${flags.deliveryFile}: ${(err as Error).message}`);
    }
    const parsed = parseLocalDelivery(text, flags.deliveryFile);
    if (typeof parsed === 'string') throw new UserError(parsed);
    return parsed;
  }
  if (flags.delivery === 'none') return { none: {} };
  return {
    argocd: {
      applicationNamespace: flags.argocdNamespace,
      applicationName: flags.argocdApplicationName,
      set: { targetRevision: {} },
    },
  };
}
