// `depot agent`: runs in a remote cluster and serves one Target (delivery:
// agent) of a Depot server it reaches over HTTP: polls the target's
// versions, applies them with the operator's own Argo CD delivery code in
// this cluster, and reports what is deployed (src/agent/).
import { readFileSync } from 'node:fs';
import { createSecureContext, getCACertificates, setDefaultCACertificates } from 'node:tls';
import type { Command } from 'commander';
import { loadKubeConfig } from '../../client/depot-client.js';
import { Agent, agentDefaults, argocdLocalDelivery } from '../../agent/agent.js';
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
import { addOptions } from '../flags.js';
import { agentFlags, type AgentFlags } from '../agent-flags.js';

export function registerAgent(program: Command): void {
  const command = program
    .command('agent')
    .description(
      "serve one Target (delivery: agent) from this cluster: poll its versions from a Depot server's HTTP API, deliver them here, report what is deployed",
    );
  addOptions(command, ...agentFlags()).action(async (flags: AgentFlags) => {
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
  checkServerScheme(url, flags);
  if (flags.caFile) trustCaFile(flags.caFile);
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
    own: { namespace: flags.namespace, target: flags.target },
    allowOverride: flags.allowOverride,
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
      allowOverride: flags.allowOverride,
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

/** https:// only, unless --insecure-http says plain HTTP is meant. */
function checkServerScheme(url: URL, flags: AgentFlags): void {
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && flags.insecureHttp) return;
  if (url.protocol === 'http:')
    throw new UserError(
      `--server ${flags.server}: plain HTTP lets anyone on the way read the token and change the versions; use https:// (--ca-file for a private CA) or add --insecure-http`,
    );
  throw new UserError(`--server ${flags.server}: must be an https:// URL`);
}

/** Trusts the CA certificates of --ca-file besides the system's for this process's TLS clients (the hub's fetch). */
function trustCaFile(file: string): void {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
    const certs = pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
    if (certs.length === 0) throw new Error('no PEM certificate in it');
    createSecureContext({ ca: certs }); // refuses a malformed certificate now, with the reason
    setDefaultCACertificates([...getCACertificates('default'), ...certs]);
  } catch (err) {
    throw new UserError(`--ca-file ${file}: ${(err as Error).message}`);
  }
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
  return argocdLocalDelivery(flags.argocdNamespace, flags.argocdApplicationName);
}
