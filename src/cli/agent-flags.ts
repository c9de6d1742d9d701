// The flags of `depot agent`, as kits in the order its help lists them;
// AgentFlags is what commander parses them to.
import { Option } from 'commander';
import { agentDefaults } from '../agent/agent.js';
import {
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
} from './flags.js';

export type AgentFlags = HubFlags &
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

/** Every flag of `depot agent`, in the order of its help. */
export function agentFlags(): Option[][] {
  return [
    hubFlags(),
    kubeconfigFlags({
      kubeconfig: 'kubeconfig of this cluster (default: $KUBECONFIG, ~/.kube/config, or in-cluster)',
      context: 'kubeconfig context',
    }),
    pollFlags(),
    localDeliveryFlags(),
    deliveryAuthorizationFlags(
      'read and write Argo CD Applications, any field, without the depot.sh/authorized-targets and depot.sh/authorized-fields consent (single-tenant clusters)',
    ),
    healthFlags('address of /healthz, /readyz (the last poll succeeded) and /metrics ("0" = off)'),
    logFlags(),
  ];
}
