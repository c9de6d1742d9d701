// One scenario that exercises every capability the operator's RBAC grants,
// and one probe per capability: `works` is its positive outcome, `denied` the
// API server's "forbidden" naming the verb, resource and group (in the
// operator's log or the HTTP API's answer). rbac-rules.test.ts runs it with
// the full role and without each rule in turn.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, EventsV1Api } from '@kubernetes/client-node';
import { AUTHORIZED_FIELDS_ANNOTATION, AUTHORIZED_TARGETS_ANNOTATION } from '../../src/api/annotations.js';
import { freePort } from '../../src/local/controlplane/index.js';
import { freshNamespace, testKubeConfig } from '../controlplane/env.js';
import { parseMetrics, sum, type Sample } from './metrics-text.js';
import { argoApp, argoClient } from './argocd.js';
import { Applications } from '../../src/api/resources.js';
import { ArgoApplications } from '../../src/integrations/argocd/resource.js';
import { cluster, depotResource } from './cluster.js';
import {
  fluxObject,
  fluxPatchTarget,
  GitRepositories,
  HelmReleases,
  Kustomizations,
  OCIRepositories,
  receiverTarget,
} from './flux.js';
import { application, promotion, target } from './objects.js';
import { environments } from './topologies.js';
import { apiBase, generatedTls, serviceAccountToken, trustApiCa } from './http-api.js';
import { startOperator, type OperatorProcess } from './operator-process.js';
import type { OperatorIdentity } from './operator-rbac.js';
import { FAST_LEADER_ELECTION } from './operator.js';
import type { ResourceType } from '../../src/kube/resource.js';

const kc = testKubeConfig();
const admin = cluster(kc);
const RECEIVER_TOKEN = 'rbac-rules-receiver-token';

/** A local Flux Receiver stand-in, shared by every scenario (one path per scenario). */
export class LocalReceiver {
  readonly calls: { path: string; body: string; signature?: string }[] = [];
  private readonly server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      this.calls.push({
        path: req.url ?? '',
        body,
        signature: req.headers['x-signature'] as string | undefined,
      });
      res.writeHead(200).end();
    });
  });
  base = '';

  async listen(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): void {
    this.server.closeAllConnections();
    this.server.close();
  }
}

interface FluxKind extends ResourceType {
  target: string;
  spec: object;
  /** Where the Target writes the version. */
  field: string;
  path: string[];
  /** What the owner names in depot.sh/authorized-fields: a field beyond the kind's version fields. */
  authorizedFields?: string;
}

export const fluxKinds: FluxKind[] = [
  {
    ...GitRepositories,
    target: 'dev-git',
    spec: { interval: '1m', url: 'https://github.com/acme/web.git', ref: { tag: '1.0.0' } },
    field: 'spec.ref.tag',
    path: ['spec', 'ref', 'tag'],
  },
  {
    ...OCIRepositories,
    target: 'dev-oci',
    spec: { interval: '5m', url: 'oci://registry.example/web', ref: { tag: '1.0.0' } },
    field: 'spec.ref.tag',
    path: ['spec', 'ref', 'tag'],
  },
  {
    ...HelmReleases,
    target: 'dev-helm',
    spec: {
      interval: '5m',
      chart: {
        spec: { chart: 'web', version: '1.0.0', sourceRef: { kind: 'HelmRepository', name: 'charts' } },
      },
    },
    field: 'spec.chart.spec.version',
    path: ['spec', 'chart', 'spec', 'version'],
  },
  {
    ...Kustomizations,
    target: 'dev-kust',
    spec: { interval: '10m', prune: true, sourceRef: { kind: 'GitRepository', name: 'apps' } },
    field: 'spec.postBuild.substitute.${application}_version',
    path: ['spec', 'postBuild', 'substitute', 'web_version'],
    authorizedFields: 'spec.postBuild.substitute.web_version',
  },
];

/** The Depot kinds, by plural. */
export const depotKinds = ['applications', 'environments', 'environmentsets', 'targets', 'promotions'];

/** Everything a scenario set up, and the operator running as the identity under test. */
export interface Scenario {
  ns: string;
  argoNs: string;
  fluxNs: string;
  identity: OperatorIdentity;
  operator: OperatorProcess;
  metricsUrl: string;
  apiBase: () => Promise<string>;
  /** Where the HTTP API's generated certificate is kept. */
  tls: { namespace: string; secret: string };
  callerToken: string;
  receiver: LocalReceiver;
  receiverPath: string;
}

/** Creates the objects of one scenario (admin writes) and starts the operator as `identity`. */
export async function startScenario(identity: OperatorIdentity, receiver: LocalReceiver): Promise<Scenario> {
  const [ns, argoNs, fluxNs] = await Promise.all([
    freshNamespace(kc, 'rbac-rules'),
    freshNamespace(kc, 'rbac-rules-argocd'),
    freshNamespace(kc, 'rbac-rules-flux'),
  ]);
  await argoClient(kc).create(
    argoNs,
    argoApp(
      'web',
      { source: { repoURL: 'https://github.com/acme/web.git', path: '.', targetRevision: 'main' } },
      `${ns}/dev-argocd`,
    ),
  );
  for (const k of fluxKinds) {
    await admin.client.create(
      k,
      fluxObject(k, 'web', k.spec, {
        namespace: fluxNs,
        annotations: {
          [AUTHORIZED_TARGETS_ANNOTATION]: `${ns}/*`,
          ...(k.authorizedFields ? { [AUTHORIZED_FIELDS_ANNOTATION]: k.authorizedFields } : {}),
        },
      }),
    );
  }
  await kc.makeApiClient(CoreV1Api).createNamespacedSecret({
    namespace: ns,
    body: { metadata: { name: 'receiver' }, data: { token: Buffer.from(RECEIVER_TOKEN).toString('base64') } },
  });
  // The HTTP API's caller: a token the operator reviews, allowed to read applications here
  // and to approve in Promotions (the approval the operator then applies for it).
  const callerToken = await serviceAccountToken(kc, ns, 'api-caller', [
    { apiGroups: ['depot.sh'], resources: ['applications'], verbs: ['get'] },
    { apiGroups: ['depot.sh'], resources: ['promotions'], verbs: ['patch'] },
  ]);
  const receiverPath = `/hook/${ns}`;
  await admin.apply(ns, [
    ...environments(['dev', 'staging']),
    target('dev-argocd', 'dev', { delivery: { argocd: { applicationNamespace: argoNs } } }),
    ...fluxKinds.map((k) =>
      fluxPatchTarget(k.target, 'dev', {
        apiVersion: `${k.group}/${k.version}`,
        kind: k.kind,
        name: '${application}',
        namespace: fluxNs,
        field: k.field,
      }),
    ),
    receiverTarget('dev-receiver', 'dev', `${receiver.base}${receiverPath}`, 'receiver'),
    application('web', {
      environmentSets: ['default'],
      versions: { dev: '1.1.0', staging: '1.0.0' },
    }),
    promotion('dev-to-staging', { from: 'dev', to: 'staging', requireDeployed: false }),
    // An approval gate of its own (qa → uat), for the HTTP API's approvals.
    ...environments(['qa', 'uat'], { set: 'gated' }),
    application('gated', { environmentSets: ['gated'], versions: { qa: '1.0.0' } }),
    promotion('qa-to-uat', { from: 'qa', to: 'uat', requireDeployed: false, approval: { required: true } }),
  ]);
  const metricsPort = await freePort();
  // The HTTP API over TLS as the chart runs it: a certificate generated into a
  // Secret of the identity's namespace (create), short-lived so that it is
  // rotated within seconds (update; get is also granted by the receiver's rule).
  const tls = await generatedTls({ namespace: identity.namespace, lifetime: '10s' });
  // Leader election on: the Lease goes to the identity's namespace (its kubeconfig context's).
  const operator = startOperator(identity.kubeconfig, ns, {
    leaderElect: true,
    args: [
      ...FAST_LEADER_ELECTION,
      '--metrics-addr',
      `127.0.0.1:${metricsPort}`,
      '--api-addr',
      '127.0.0.1:0',
      '--receiver-url-allow',
      `${receiver.base}/hook/`,
      '--delivery-retry-base-delay',
      '200ms',
      '--delivery-retry-max-delay',
      '2s',
      '--retry-base-delay',
      '200ms',
      '--retry-max-delay',
      '2s',
      ...tls.args,
    ],
  });
  let base: Promise<string> | undefined;
  return {
    ns,
    argoNs,
    fluxNs,
    identity,
    operator,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    // Listening implies the certificate is in its Secret: this process then trusts its CA.
    apiBase: () =>
      (base ??= apiBase(operator).then(async (url) => {
        await trustApiCa(kc, tls.namespace, tls.secret);
        return url;
      })),
    tls,
    callerToken,
    receiver,
    receiverPath,
  };
}

/**
 * Where the API server's refusal shows: `User "…" cannot <verb> resource "<resource>"
 * in API group "<group>"` (quotes escaped once or twice inside JSON logs).
 */
export function forbidden(text: string, verbs: string, resource: string, group: string): string | undefined {
  const q = '[\\\\"]*';
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const re = new RegExp(
    `cannot (?:${verbs}) resource ${q}${esc(resource)}${q} in API group ${q}${esc(group)}${q}[^\\n]{0,80}`,
  );
  return re.exec(text)?.[0];
}

async function metrics(s: Scenario): Promise<Sample[]> {
  const res = await fetch(s.metricsUrl, { signal: AbortSignal.timeout(3000) });
  return parseMetrics(await res.text());
}

const getObject = (r: ResourceType, namespace: string, name: string) =>
  admin.read<Record<string, unknown>>(r, namespace, name);

const at = (obj: unknown, path: string[]): unknown =>
  path.reduce<unknown>((node, seg) => (node as Record<string, unknown> | undefined)?.[seg], obj);

const inLog = (verbs: string, resource: string, group: string) => async (s: Scenario) =>
  forbidden(s.operator.output(), verbs, resource, group);

async function apiAnswer(s: Scenario): Promise<{ status: number; body: string }> {
  const res = await fetch(`${await s.apiBase()}/namespaces/${s.ns}/applications/web`, {
    headers: { Authorization: `Bearer ${s.callerToken}` },
    signal: AbortSignal.timeout(5000),
  });
  return { status: res.status, body: await res.text() };
}

/** POST …/promotions/qa-to-uat/approvals for `gated` as the caller. */
async function approveAnswer(s: Scenario): Promise<{ status: number; body: string }> {
  const res = await fetch(`${await s.apiBase()}/namespaces/${s.ns}/promotions/qa-to-uat/approvals`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${s.callerToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ application: 'gated' }),
    signal: AbortSignal.timeout(5000),
  });
  return { status: res.status, body: await res.text() };
}

const approved = async (s: Scenario) =>
  (
    (at(await getObject(depotResource('promotions'), s.ns, 'qa-to-uat'), ['spec', 'approvals']) as
      { application: string }[] | undefined) ?? []
  ).some((a) => a.application === 'gated');

/** One capability: its positive outcome, and positive evidence of its refusal. */
export interface Probe {
  name: string;
  works: (s: Scenario) => Promise<boolean>;
  denied: (s: Scenario) => Promise<string | undefined>;
  /** Other probes' capabilities this one cannot work without (not checked when one of those is removed). */
  needs: string[];
}

const depotRead = (plural: string): Probe => ({
  name: `read ${plural}.depot.sh (informer synced)`,
  works: async (s) =>
    sum(await metrics(s), 'depot_informer_synced', { resource: `depot.sh/v1alpha1/${plural}` }) === 1,
  denied: inLog('list|watch', plural, 'depot.sh'),
  needs: [],
});

const kindOf: Record<string, string> = {
  applications: 'Application',
  environments: 'Environment',
  environmentsets: 'EnvironmentSet',
  targets: 'Target',
  promotions: 'Promotion',
};
const nameOf: Record<string, string> = {
  applications: 'web',
  environments: 'dev',
  environmentsets: 'default',
  targets: 'dev-argocd',
  promotions: 'dev-to-staging',
};

const depotStatus = (plural: string): Probe => ({
  name: `write ${plural}/status.depot.sh (${kindOf[plural]} ${nameOf[plural]} has conditions)`,
  works: async (s) => {
    const obj = await getObject(depotResource(plural), s.ns, nameOf[plural]!);
    return ((at(obj, ['status', 'conditions']) as unknown[] | undefined) ?? []).length > 0;
  },
  denied: inLog('patch|update', `${plural}/status`, 'depot.sh'),
  needs: ['leader', `read:${plural}`],
});

const fluxProbe = (k: FluxKind): Probe => ({
  name: `Flux delivery into a ${k.kind} (${k.field} = 1.1.0)`,
  works: async (s) => at(await getObject(k, s.fluxNs, 'web'), k.path) === '1.1.0',
  denied: inLog('list|watch|get|patch', k.plural, k.group),
  needs: ['leader', 'read:*'],
});

/** Probes by name; `needs` names these keys ('read:*' = every Depot read). */
export const probes: Record<string, Probe> = {
  ...Object.fromEntries(depotKinds.map((p) => [`read:${p}`, depotRead(p)])),
  ...Object.fromEntries(depotKinds.map((p) => [`status:${p}`, depotStatus(p)])),
  promote: {
    name: 'a Promotion patches spec.versions.staging of an Application',
    works: async (s) =>
      at(await getObject(Applications, s.ns, 'web'), ['spec', 'versions', 'staging']) === '1.1.0',
    denied: inLog('patch', 'applications', 'depot.sh'),
    // A Promotion plans from the Applications' status (what runs in `from`); its write names it (attribute).
    needs: ['leader', 'read:*', 'status:applications', 'attribute'],
  },
  attribute: {
    name: "a Promotion's write names the Promotion in the actor stamp (Depot's admission policies)",
    works: async (s) =>
      at(await getObject(Applications, s.ns, 'web'), ['spec', 'requestedBy', 'staging', 'user']) ===
      'promotion dev-to-staging',
    // The ValidatingAdmissionPolicy refuses a stamp naming someone else without the verb `attribute`.
    denied: async (s) =>
      /spec\.requestedBy is written by admission[^\n]{0,200}/.exec(s.operator.output())?.[0],
    // The stamp comes with the Promotion's write (promote needs attribute in turn: each is left
    // unchecked when the other's rule is removed).
    needs: ['leader', 'read:*', 'status:applications', 'promote'],
  },
  events: {
    name: 'Events (events.k8s.io) about Depot objects are recorded',
    works: async (s) =>
      (await kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: s.ns })).items.some((e) =>
        e.regarding?.apiVersion?.startsWith('depot.sh/'),
      ),
    denied: inLog('create', 'events', 'events.k8s.io'),
    // History entries become Events after the status write that records them.
    needs: ['leader', 'read:*', 'status:applications'],
  },
  argocd: {
    name: 'Argo CD delivery (spec.source.targetRevision = 1.1.0)',
    works: async (s) =>
      at(await getObject(ArgoApplications, s.argoNs, 'web'), ['spec', 'source', 'targetRevision']) ===
      '1.1.0',
    denied: inLog('list|watch|get|patch', 'applications', 'argoproj.io'),
    needs: ['leader', 'read:*'],
  },
  ...Object.fromEntries(fluxKinds.map((k) => [`flux:${k.plural}`, fluxProbe(k)])),
  receiver: {
    name: 'a generic-hmac Flux Receiver is called, signed with the token of its Secret',
    works: async (s) =>
      s.receiver.calls.some(
        (c) =>
          c.path === s.receiverPath &&
          (JSON.parse(c.body) as { version?: string }).version === '1.1.0' &&
          c.signature === `sha256=${createHmac('sha256', RECEIVER_TOKEN).update(c.body).digest('hex')}`,
      ),
    denied: inLog('get', 'secrets', ''),
    needs: ['leader', 'read:*'],
  },
  tokenreview: {
    name: "the HTTP API authenticates a caller's bearer token (TokenReview)",
    // Authenticated: answered, or refused at the next step (authorization) only.
    works: async (s) => {
      const a = await apiAnswer(s);
      return a.status === 200 || (a.status === 503 && a.body.includes('SubjectAccessReview'));
    },
    denied: async (s) => {
      const a = await apiAnswer(s);
      return a.status === 503
        ? forbidden(a.body, 'create', 'tokenreviews', 'authentication.k8s.io')
        : undefined;
    },
    needs: ['read:applications', 'api-tls'],
  },
  subjectaccessreview: {
    name: "the HTTP API authorizes a caller's request (SubjectAccessReview)",
    works: async (s) => (await apiAnswer(s)).status === 200,
    denied: async (s) => {
      const a = await apiAnswer(s);
      return a.status === 503
        ? forbidden(a.body, 'create', 'subjectaccessreviews', 'authorization.k8s.io')
        : undefined;
    },
    needs: ['read:applications', 'tokenreview', 'api-tls'],
  },
  approve: {
    name: 'the HTTP API applies an approval to a Promotion for a caller allowed to patch it',
    works: async (s) => (await approved(s)) || ((await approveAnswer(s)).status === 200 && approved(s)),
    denied: async (s) => {
      const a = await approveAnswer(s);
      return a.status === 502 ? forbidden(a.body, 'patch', 'promotions', 'depot.sh') : undefined;
    },
    // The version waits for approval in the Promotion's status; the caller is reviewed first;
    // the approval names the caller, not the operator (attribute).
    needs: [
      'leader',
      'read:*',
      'status:promotions',
      'tokenreview',
      'subjectaccessreview',
      'api-tls',
      'attribute',
    ],
  },
  'api-tls': {
    name: 'the HTTP API serves over TLS a certificate the operator generated into its Secret, then rotated',
    works: async (s) => {
      const base = await Promise.race([s.apiBase(), sleep(1_000).then(() => undefined)]);
      const issued = s.operator
        .output()
        .split('\n')
        .filter((l) => l.includes('"HTTP API: issued a new TLS certificate"')).length;
      return (
        base !== undefined &&
        base.startsWith('https:') &&
        issued >= 2 &&
        (await fetch(`${base}/version`)).status === 200
      );
    },
    denied: inLog('get|create|update', 'secrets', ''),
    needs: [],
  },
  leader: {
    name: 'leader election: the operator holds its Lease',
    works: async (s) => sum(await metrics(s), 'depot_leader') === 1,
    denied: inLog('get|create|update', 'leases', 'coordination.k8s.io'),
    needs: [],
  },
};

/** The probes a (group, resource) of the operator's RBAC is proven by, keyed by the rule's verbs too. */
export function ruleKey(group: string, resource: string, verbs: string[]): string {
  return `${[...verbs].sort().join(',')} ${resource}${group ? `.${group}` : ''}`;
}
