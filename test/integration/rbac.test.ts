// The operator runs with nothing but the permissions of its packaged RBAC
// (test/kit/operator-rbac.ts): the ServiceAccount's own token (TokenRequest),
// leader election on, a version promoted end to end. And the role is minimal: what it must not do is denied.
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthorizationV1Api, KubeConfig } from '@kubernetes/client-node';
import { Secrets } from '../../src/kube/resource.js';
import { argoApp, argoClient } from '../kit/argocd.js';
import { fluxPatchTarget, gitRepository, GitRepositories, receiverTarget } from '../kit/flux.js';
import { apiBase, generatedTls, trustApiCa } from '../kit/http-api.js';
import { application, promotion, target } from '../kit/objects.js';
import { environments } from '../kit/topologies.js';
import { cluster, envStatus } from '../kit/cluster.js';
import { depotCli, startOperator } from '../kit/operator-process.js';
import { eventually } from '../kit/eventually.js';
import { freshNamespace } from '../controlplane/env.js';
import { installOperatorRbac } from '../kit/operator-rbac.js';
import { FAST_LEADER_ELECTION } from '../kit/operator.js';

const k = cluster();
const { kc, client } = k;

test('the operator works with exactly the permissions of config/rbac, and they deny what it does not need', async () => {
  const ns = await freshNamespace(kc, 'rbac');
  const argoNs = await freshNamespace(kc, 'rbac-argocd');
  const argo = argoClient(kc);
  await argo.create(
    argoNs,
    argoApp(
      'web',
      { source: { repoURL: 'https://github.com/acme/web.git', path: '.', targetRevision: 'main' } },
      `${ns}/dev-argocd`,
    ),
  );
  // Flux delivery: a GitRepository patched in another namespace, and a
  // generic-hmac Receiver (a local server) whose token is read from a Secret.
  const fluxNs = await freshNamespace(kc, 'rbac-flux');
  await client.create(
    GitRepositories,
    gitRepository(
      'web',
      { tag: '1.0.0' },
      { namespace: fluxNs, annotations: { 'depot.sh/authorized-targets': `${ns}/dev-flux` } },
      'https://github.com/acme/web.git',
    ),
  );
  const token = 'rbac-receiver-token';
  await client.create(Secrets, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'receiver', namespace: ns },
    data: { token: Buffer.from(token).toString('base64') },
  });
  const received: { body: string; signature?: string }[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ body, signature: req.headers['x-signature'] as string | undefined });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const receiverBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  const identity = await installOperatorRbac();
  const system = identity.namespace;
  const saKubeconfig = identity.kubeconfig;

  await k.apply(ns, [
    ...environments(['dev', 'staging'], { targets: { 'dev-1': 'dev' } }),
    // Delivery into an Argo CD Application (upstream CRD) in another namespace.
    target('dev-argocd', 'dev', { delivery: { argocd: { applicationNamespace: argoNs } } }),
    fluxPatchTarget('dev-flux', 'dev', {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      name: '${application}',
      namespace: fluxNs,
      field: 'spec.ref.tag',
    }),
    receiverTarget('dev-receiver', 'dev', `${receiverBase}/hook/web`, 'receiver'),
    application('web', { environmentSets: ['default'], versions: { dev: '1.0.0', staging: '1.0.0' } }),
    promotion('dev-to-staging', { from: 'dev', to: 'staging', requireDeployed: false }),
  ]);

  // Leader election on; the ClusterRole covers every namespace, the operator watches the test one.
  // Its HTTP API over TLS, with the certificate it generates into its own namespace (the chart's default).
  const tls = await generatedTls({ namespace: system });
  const operator = startOperator(saKubeconfig, ns, {
    leaderElect: true,
    args: [
      '--leader-election-namespace',
      system,
      ...FAST_LEADER_ELECTION,
      '--api-addr',
      '127.0.0.1:0',
      '--receiver-url-allow',
      `${receiverBase}/hook/`,
      // The caller below is the operator's own kubeconfig token, made for the API server's audience.
      '--token-audiences',
      'depot,https://kubernetes.default.svc',
      ...tls.args,
    ],
  });
  try {
    expect(
      depotCli(process.env.DEPOT_TEST_KUBECONFIG!, ns, 'set-version', 'web', 'dev', '1.1.0').status,
    ).toBe(0);
    const app = await k.appWhen(
      ns,
      'web',
      'web 1.1.0 promoted to staging by the operator running as the ServiceAccount',
      (a) => envStatus(a, 'staging')?.desired === '1.1.0',
      90_000,
    );
    expect(app.status!.history!.some((h) => h.type === 'Promoted' && h.to === '1.1.0')).toBe(true);
    // Its HTTP API reviews a caller's token and permission (TokenReview, SubjectAccessReview) as this ServiceAccount.
    const caller = new KubeConfig();
    caller.loadFromFile(saKubeconfig);
    const base = await apiBase(operator);
    expect(base).toMatch(/^https:/);
    await trustApiCa(k.kc, tls.namespace, tls.secret);
    const res = await fetch(`${base}/namespaces/${ns}/applications/web`, {
      headers: { Authorization: `Bearer ${caller.getCurrentUser()!.token}` },
    });
    expect(res.status).toBe(200);
    await eventually('1.1.0 delivered into the Argo CD Application', async () => {
      return (await argo.get(argoNs, 'web')).spec.source?.targetRevision === '1.1.0';
    });
    await eventually('1.1.0 delivered into the Flux GitRepository', async () => {
      const repo = await client.get(GitRepositories, fluxNs, 'web');
      return (repo?.spec as { ref?: { tag?: string } } | undefined)?.ref?.tag === '1.1.0';
    });
    // The Receiver call is signed with the token of the Secret (read with a get).
    const call = await eventually('the Receiver called with 1.1.0', async () =>
      received.find((r) => (JSON.parse(r.body) as { version: string }).version === '1.1.0'),
    );
    expect(call.signature).toBe(`sha256=${createHmac('sha256', token).update(call.body).digest('hex')}`);
    expect(operator.output()).not.toMatch(/forbidden/i);
  } catch (err) {
    throw new Error(`${(err as Error).message}\noperator output:\n${operator.output().slice(-3000)}`);
  } finally {
    await operator.stop();
    receiver.close();
  }

  // Minimal: what the operator never does is denied to its ServiceAccount.
  const user = identity.user;
  const can = async (attrs: {
    verb: string;
    group: string;
    resource: string;
    namespace?: string;
    subresource?: string;
  }) =>
    (
      await kc.makeApiClient(AuthorizationV1Api).createSubjectAccessReview({
        body: { spec: { user, resourceAttributes: attrs } },
      })
    ).status!.allowed;
  expect(await can({ verb: 'list', group: 'depot.sh', resource: 'applications' })).toBe(true);
  // The HTTP API reviews its callers' tokens and permissions.
  expect(await can({ verb: 'create', group: 'authentication.k8s.io', resource: 'tokenreviews' })).toBe(true);
  expect(await can({ verb: 'create', group: 'authorization.k8s.io', resource: 'subjectaccessreviews' })).toBe(
    true,
  );
  // Changed on purpose (the HTTP API's approvals): it applies an approval to a
  // Promotion for a caller whom a SubjectAccessReview allows to patch it.
  expect(await can({ verb: 'patch', group: 'depot.sh', resource: 'promotions', namespace: ns })).toBe(true);
  // Changed on purpose (Argo CD delivery): Argo CD Applications may be watched and patched.
  expect(
    await can({ verb: 'patch', group: 'argoproj.io', resource: 'applications', namespace: argoNs }),
  ).toBe(true);
  // Changed on purpose (Flux delivery): the Flux kinds a Target patches, and one Secret read with get.
  for (const allowed of [
    { verb: 'patch', group: 'source.toolkit.fluxcd.io', resource: 'gitrepositories', namespace: fluxNs },
    { verb: 'patch', group: 'source.toolkit.fluxcd.io', resource: 'ocirepositories', namespace: fluxNs },
    { verb: 'patch', group: 'helm.toolkit.fluxcd.io', resource: 'helmreleases', namespace: fluxNs },
    { verb: 'patch', group: 'kustomize.toolkit.fluxcd.io', resource: 'kustomizations', namespace: fluxNs },
    { verb: 'get', group: '', resource: 'secrets', namespace: ns },
  ]) {
    expect({ ...allowed, allowed: await can(allowed) }).toEqual({ ...allowed, allowed: true });
  }
  for (const denied of [
    { verb: 'delete', group: 'depot.sh', resource: 'applications', namespace: ns },
    { verb: 'create', group: 'depot.sh', resource: 'applications', namespace: ns },
    { verb: 'update', group: 'depot.sh', resource: 'promotions', namespace: ns },
    // Secrets: one get per Receiver call, never listed, watched or changed.
    { verb: 'list', group: '', resource: 'secrets', namespace: ns },
    { verb: 'watch', group: '', resource: 'secrets', namespace: ns },
    { verb: 'update', group: '', resource: 'secrets', namespace: ns },
    { verb: 'create', group: 'coordination.k8s.io', resource: 'leases', namespace: ns },
    // Argo CD: nothing but Applications, never created or deleted.
    { verb: 'create', group: 'argoproj.io', resource: 'applications', namespace: argoNs },
    { verb: 'delete', group: 'argoproj.io', resource: 'applications', namespace: argoNs },
    { verb: 'update', group: 'argoproj.io', resource: 'applications', namespace: argoNs },
    { verb: 'patch', group: 'argoproj.io', resource: 'applicationsets', namespace: argoNs },
    { verb: 'get', group: 'argoproj.io', resource: 'appprojects', namespace: argoNs },
    // Flux: the four kinds are patched, never created, updated or deleted; no other Flux kind.
    { verb: 'create', group: 'source.toolkit.fluxcd.io', resource: 'gitrepositories', namespace: fluxNs },
    { verb: 'delete', group: 'helm.toolkit.fluxcd.io', resource: 'helmreleases', namespace: fluxNs },
    { verb: 'update', group: 'kustomize.toolkit.fluxcd.io', resource: 'kustomizations', namespace: fluxNs },
    { verb: 'patch', group: 'source.toolkit.fluxcd.io', resource: 'helmrepositories', namespace: fluxNs },
    {
      verb: 'patch',
      group: 'source.toolkit.fluxcd.io',
      resource: 'gitrepositories',
      subresource: 'status',
      namespace: fluxNs,
    },
    { verb: 'patch', group: 'notification.toolkit.fluxcd.io', resource: 'receivers', namespace: fluxNs },
  ]) {
    expect({ ...denied, allowed: await can(denied) }).toEqual({ ...denied, allowed: false });
  }
}, 150_000);
