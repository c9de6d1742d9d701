// The flags of `depot agent`, as kits in the order its help lists them;
// AgentFlags is what commander parses them to.
import { InvalidArgumentError, Option } from 'commander';
import { agentDefaults } from '../agent/agent.js';
import { OVERRIDE_FIELDS, type OverrideField } from '../agent/overrides.js';
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
  caFile?: string;
  insecureHttp: boolean;
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
    new Option(
      '--ca-file <path>',
      "PEM CA certificate(s) that sign the server's certificate, trusted besides the system's",
    ),
    new Option(
      '--insecure-http',
      'allow an http:// --server: the token and the versions travel unprotected and can be changed on the way',
    ).default(false),
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
  allowOverride: OverrideField[];
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
    valueOption(
      '--allow-override <fields>',
      `fields of an Application's spec.targets.<target> on the hub this agent applies (comma-separated: ${OVERRIDE_FIELDS.join(', ')}); default none: an application whose override sets another field is not delivered`,
      overrideList,
      [] as OverrideField[],
    ),
  ];
}

function overrideList(value: string, previous: OverrideField[]): OverrideField[] {
  const fields = appendCommaList(value, []);
  const unknown = fields.filter((f) => !(OVERRIDE_FIELDS as readonly string[]).includes(f));
  if (unknown.length > 0)
    throw new InvalidArgumentError(
      `unknown override field ${unknown.join(', ')} (one of ${OVERRIDE_FIELDS.join(', ')})`,
    );
  return [...previous, ...(fields as OverrideField[])];
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
