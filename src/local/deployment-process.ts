// The operator's Deployment (config/manager/manager.yaml) as a local process:
// the same subcommand, flags and environment as its `operator` container,
// overriding only what a process outside a pod must (kubeconfig, loopback
// listen addresses, the pod name). The demo runs it with the ServiceAccount's
// token, so it works with exactly the chart's RBAC.
import type { KubernetesObject, V1Container, V1Deployment } from '@kubernetes/client-node';

export interface OperatorContainer {
  /** namespace/name of the Deployment. */
  deployment: string;
  namespace: string;
  replicas: number;
  serviceAccountName: string;
  /** The depot command line from the `operator` subcommand on (`operator --flag=…`). */
  argv: string[];
  env: NonNullable<V1Container['env']>;
  /** The readiness probe's path and the container port it checks, if any. */
  readiness?: { path: string; port: number };
  /** Every listen-address flag of argv (`--x-addr`) with its container port. */
  listen: { flag: string; port: number }[];
}

export interface LocalProcess {
  /** Arguments after `depot` (the subcommand first). */
  args: string[];
  env: Record<string, string>;
  /** http://127.0.0.1:port/path of the readiness probe, when the Deployment has one. */
  readinessUrl?: string;
}

const addrFlag = /^--[a-z0-9-]+-addr$/;

/** Finds the Deployment with a container named `container` among the manifests and reads its settings. */
export function operatorContainer(
  manifests: readonly KubernetesObject[],
  source: string,
  container = 'operator',
): OperatorContainer {
  const deployments = manifests.filter(
    (o): o is V1Deployment => o.kind === 'Deployment' && o.apiVersion === 'apps/v1',
  );
  const found = deployments.flatMap((d) =>
    (d.spec?.template.spec?.containers ?? []).filter((c) => c.name === container).map((c) => ({ d, c })),
  );
  if (found.length !== 1)
    throw new Error(
      `${source}: expected one Deployment with a container named "${container}", found ${found.length}`,
    );
  const { d, c } = found[0]!;
  const namespace = d.metadata?.namespace;
  const name = `${namespace}/${d.metadata?.name}`;
  if (!namespace) throw new Error(`${source}: Deployment ${d.metadata?.name} has no metadata.namespace`);
  const pod = d.spec!.template.spec!;
  const argv = subcommandArgv([...(c.command ?? []), ...(c.args ?? [])], `${source}: Deployment ${name}`);
  const ports = new Map((c.ports ?? []).map((p) => [p.name, p.containerPort]));
  const probePort = c.readinessProbe?.httpGet?.port;
  return {
    deployment: name,
    namespace,
    replicas: d.spec?.replicas ?? 1,
    serviceAccountName: pod.serviceAccountName ?? 'default',
    argv,
    env: c.env ?? [],
    readiness:
      c.readinessProbe?.httpGet && probePort !== undefined
        ? {
            path: c.readinessProbe.httpGet.path ?? '/',
            port: typeof probePort === 'number' ? probePort : portByName(ports, probePort, name),
          }
        : undefined,
    listen: flagValues(argv)
      .filter(({ flag }) => addrFlag.test(flag))
      .map(({ flag, value }) => ({ flag, port: addressPort(value, `${source}: ${flag}`) })),
  };
}

/**
 * The local command line: the container's flags with --kubeconfig set and
 * every listen address moved to 127.0.0.1:`ports[flag]` (a flag the map does
 * not name stays as it is); env with literal values, and the downward API's
 * metadata.name/namespace and spec.serviceAccountName filled in.
 */
export function localProcess(
  c: OperatorContainer,
  opts: { kubeconfig: string; podName: string; ports: Readonly<Record<string, number>> },
): LocalProcess {
  const args: string[] = [];
  const flags = flagValues(c.argv);
  args.push(c.argv[0]!);
  for (const { flag, raw } of flags) {
    if (flag === '--kubeconfig') continue;
    const port = opts.ports[flag];
    if (port !== undefined && addrFlag.test(flag)) args.push(`${flag}=127.0.0.1:${port}`);
    else args.push(...raw);
  }
  args.push(`--kubeconfig=${opts.kubeconfig}`);

  const env: Record<string, string> = {};
  for (const e of c.env) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.fieldRef) env[e.name] = fieldValue(e.valueFrom.fieldRef.fieldPath, c, opts.podName);
    else
      throw new Error(
        `Deployment ${c.deployment}: env ${e.name} takes its value from ${Object.keys(e.valueFrom ?? {}).join(', ') || 'nowhere'}, which a local process cannot read`,
      );
  }

  const probe = c.readiness;
  const healthFlag = probe && c.listen.find((l) => l.port === probe.port)?.flag;
  const healthPort = healthFlag ? opts.ports[healthFlag] : undefined;
  return {
    args,
    env,
    readinessUrl: probe && healthPort ? `http://127.0.0.1:${healthPort}${probe.path}` : undefined,
  };
}

/**
 * From the `operator` subcommand on. A command that names the program
 * (`depot`, `node /app/bin/depot.js`) is dropped; args that start with a flag
 * mean the image's entrypoint is `depot operator`.
 */
function subcommandArgv(all: string[], where: string): string[] {
  const i = all.indexOf('operator');
  if (i >= 0 && all.slice(0, i).every((a) => !a.startsWith('-'))) return all.slice(i);
  if (all.length === 0 || all[0]!.startsWith('-')) return ['operator', ...all];
  throw new Error(`${where}: its command and args do not run \`depot operator\`: ${all.join(' ')}`);
}

/** The flags after the subcommand, `--flag=value`, `--flag value` or a bare `--switch`. */
function flagValues(argv: string[]): { flag: string; value?: string; raw: string[] }[] {
  const out: { flag: string; value?: string; raw: string[] }[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}" in the operator's args`);
    const eq = a.indexOf('=');
    if (eq > 0) out.push({ flag: a.slice(0, eq), value: a.slice(eq + 1), raw: [a] });
    else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--'))
      out.push({ flag: a, value: argv[i + 1], raw: [a, argv[++i]!] });
    else out.push({ flag: a, raw: [a] });
  }
  return out;
}

function addressPort(value: string | undefined, where: string): number {
  const port = Number(value?.slice(value.lastIndexOf(':') + 1));
  if (value === undefined || !Number.isInteger(port))
    throw new Error(`${where}: "${value}" is not host:port or :port`);
  return port;
}

function portByName(ports: Map<string | undefined, number>, name: string, deployment: string): number {
  const port = ports.get(name);
  if (port === undefined)
    throw new Error(
      `Deployment ${deployment}: the readiness probe names port "${name}", which the container does not declare`,
    );
  return port;
}

function fieldValue(path: string, c: OperatorContainer, podName: string): string {
  switch (path) {
    case 'metadata.name':
      return podName;
    case 'metadata.namespace':
      return c.namespace;
    case 'spec.serviceAccountName':
      return c.serviceAccountName;
    default:
      throw new Error(`Deployment ${c.deployment}: env from fieldRef ${path} has no local value`);
  }
}
