// The Flux integration's I/O parts on the real API server with the upstream
// Flux CRDs and the real notification-controller: the patch changes only the
// named field of each kind; a generic-hmac call makes the controller annotate
// the GitRepository; bad tokens, error answers, timeouts, unreachable or
// disallowed URLs fail naming what failed, and never show the token.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '../../src/local/controlplane/index.js';
import type { KubeObject, ResourceType } from '../../src/kube/resource.js';
import { Secrets } from '../../src/kube/resource.js';
import { AUTHORIZED_TARGETS_ANNOTATION } from '../../src/api/annotations.js';
import { deployedVersion } from '../../src/integrations/flux/deployed.js';
import type { FluxKind } from '../../src/integrations/flux/kinds.js';
import { RECONCILE_REQUESTED_AT_ANNOTATION, valueAt } from '../../src/integrations/flux/patch.js';
import { patchTarget } from '../../src/integrations/flux/patch-target.js';
import { writeFluxPatch, type PatchIO } from '../../src/integrations/flux/patch-writer.js';
import { callReceiver, type ReceiverOptions } from '../../src/integrations/flux/receiver-client.js';
import { freshNamespace } from '../controlplane/env.js';
import { cluster } from '../kit/cluster.js';
import { startNotificationController, type NotificationController } from '../kit/notification-controller.js';
import { eventually } from '../kit/eventually.js';
import { GitRepositories, HelmReleases, Kustomizations, OCIRepositories, Receivers } from '../kit/flux.js';
import {
  fluxArtifact,
  fluxObject as kitFluxObject,
  fluxReady,
  gitReceiver,
  receiverWebhookPath,
  tokenSecret,
  writeFluxStatus,
} from '../kit/flux.js';

const TOKEN = 'depot-test-token-7f3a9c1e5b';
const k = cluster();
const { kc, client } = k;
const kubeconfig = process.env.DEPOT_TEST_KUBECONFIG!;

/** The operator's DeliveryIO reads a cache and patches strictly; here: one GET, the same patch. */
const io: PatchIO & { get: typeof client.get } = {
  read: async (r, namespace, name) => ({ synced: true, object: await client.get(r, namespace, name) }),
  patch: (r, namespace, name, body) =>
    client.patch(r, namespace, name, body, {
      type: 'merge',
      fieldManager: 'depot-operator.flux',
      fieldValidation: 'Strict',
    }),
  get: (r, namespace, name) => client.get(r, namespace, name),
};

let ns: string;
const target = () => ({ namespace: ns, name: 'prod-flux' });
const authorized = (extra: Record<string, string> = {}) => ({
  [AUTHORIZED_TARGETS_ANNOTATION]: `${ns}/prod-flux`,
  ...extra,
});

const fluxObject = (r: ResourceType, name: string, spec: object, annotations = authorized()) =>
  kitFluxObject(r, name, spec, { namespace: ns, annotations, labels: { team: 'a' } });

/** The object without what any write changes (resourceVersion, generation, managedFields). */
function stable(obj: KubeObject): KubeObject {
  const metadata = { ...obj.metadata };
  delete metadata.resourceVersion;
  delete metadata.generation;
  delete metadata.managedFields;
  return { ...obj, metadata };
}

beforeAll(async () => {
  ns = await freshNamespace(kc, 'flux');
});
afterAll(() => k.close());

describe('patch: the version lands in the named field, with a reconcile request, and nothing else changes', () => {
  const kinds: { kind: FluxKind; r: ResourceType; spec: object; field: string; apiVersion: string }[] = [
    {
      kind: 'HelmRelease',
      r: HelmReleases,
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      field: 'spec.chart.spec.version',
      spec: {
        interval: '5m',
        chart: {
          spec: { chart: 'core', version: '1.0.0', sourceRef: { kind: 'HelmRepository', name: 'charts' } },
        },
        values: { image: { tag: 'keep' } },
      },
    },
    {
      kind: 'GitRepository',
      r: GitRepositories,
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      field: 'spec.ref.tag',
      spec: { interval: '1m', url: 'https://git.example/core.git', ref: { tag: 'v1.0.0' } },
    },
    {
      kind: 'OCIRepository',
      r: OCIRepositories,
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      field: 'spec.ref.tag',
      spec: { interval: '1m', url: 'oci://registry.example/core' },
    },
    {
      kind: 'Kustomization',
      r: Kustomizations,
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      field: 'spec.postBuild.substitute.${application}_version',
      spec: {
        interval: '10m',
        prune: true,
        sourceRef: { kind: 'GitRepository', name: 'apps' },
        postBuild: { substitute: { other_version: '0.1.0' } },
      },
    },
  ];

  test.each(kinds)('$kind $field', async ({ kind, r, spec, field, apiVersion }) => {
    const name = `core-${kind.toLowerCase()}`;
    // Beyond the kind's version fields the owner names the field (depot.sh/authorized-fields).
    // The HelmRelease also names the misspelt fields below, so the API server's schema is what refuses them.
    const fields: Record<string, string> =
      kind === 'Kustomization'
        ? { 'depot.sh/authorized-fields': 'spec.postBuild.substitute.kustomization_version' }
        : kind === 'HelmRelease'
          ? { 'depot.sh/authorized-fields': 'spec.chart.spec.versoin, spec.chart.spec.version.major' }
          : {};
    await client.create(r, fluxObject(r, name, spec, authorized(fields)));
    const before = (await client.get(r, ns, name))!;
    const t = patchTarget(
      { apiVersion, kind, name: 'core-${application}', field },
      { application: kind.toLowerCase(), environment: 'prod', target: 'prod-flux', namespace: ns },
    );
    if ('error' in t) throw new Error(t.error);
    expect(t.name).toBe(name);
    const now = new Date('2026-11-24T06:30:00.000Z');

    const first = await writeFluxPatch(io, t, '2.0.0', {
      target: target(),
      checkAuthorization: true,
      now,
    });
    const found = valueAt(before, t.path);
    expect(first).toEqual({
      state: 'Delivered',
      wrote: true,
      message: expect.stringContaining(`${t.field} of ${kind} ${ns}/${name}`),
      ...(found !== undefined ? { found } : {}),
    });
    const after = (await client.get(r, ns, name))!;

    // Exactly the field and the annotation changed.
    const expected = structuredClone(stable(before)) as KubeObject & Record<string, unknown>;
    let node = expected as Record<string, unknown>;
    for (const seg of t.path.slice(0, -1)) node = (node[seg] ??= {}) as Record<string, unknown>;
    node[t.path.at(-1)!] = '2.0.0';
    expected.metadata!.annotations = {
      ...before.metadata!.annotations,
      [RECONCILE_REQUESTED_AT_ANNOTATION]: now.toISOString(),
    };
    expect(stable(after)).toEqual(expected);

    // In place: no write at all (same resourceVersion), Delivered.
    const again = await writeFluxPatch(io, t, '2.0.0', {
      target: target(),
      checkAuthorization: true,
      now: new Date(),
    });
    expect(again).toMatchObject({ state: 'Delivered', wrote: false });
    expect((await client.get(r, ns, name))!.metadata!.resourceVersion).toBe(after.metadata!.resourceVersion);
  });

  test('an object that does not authorize the Target is not written; the message names the annotation', async () => {
    await client.create(
      GitRepositories,
      fluxObject(
        GitRepositories,
        'other-team',
        { interval: '1m', url: 'https://git.example/x.git', ref: { tag: 'v1' } },
        {
          [AUTHORIZED_TARGETS_ANNOTATION]: 'someone-else/prod-flux',
        },
      ),
    );
    const before = await client.get(GitRepositories, ns, 'other-team');
    const t = patchTarget(
      {
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'GitRepository',
        name: 'other-team',
        field: 'spec.ref.tag',
      },
      { application: 'core', environment: 'prod', target: 'prod-flux', namespace: ns },
    );
    if ('error' in t) throw new Error(t.error);
    const res = await writeFluxPatch(io, t, 'v2', {
      target: target(),
      checkAuthorization: true,
      now: new Date(),
    });
    expect(res).toEqual({
      state: 'Failed',
      // The same words as for a missing object; the owner's annotation is not echoed.
      message: `GitRepository ${ns}/other-team does not exist or does not authorize Target ${ns}/prod-flux: Depot reads and writes it only when its owner adds the annotation depot.sh/authorized-targets: "${ns}/prod-flux" (or "${ns}/*")`,
      waitForChange: true,
    });
    expect(await client.get(GitRepositories, ns, 'other-team')).toEqual(before);

    // The operator flag for single-tenant clusters turns the check off.
    const unchecked = await writeFluxPatch(io, t, 'v2', {
      target: target(),
      checkAuthorization: false,
      now: new Date(),
    });
    expect(unchecked).toMatchObject({ state: 'Delivered', wrote: true });
  });

  test('a missing object, or a field its schema does not have: Failed, naming object and field; nothing written', async () => {
    const values = { application: 'core', environment: 'prod', target: 'prod-flux', namespace: ns };
    const missing = patchTarget(
      {
        apiVersion: 'helm.toolkit.fluxcd.io/v2',
        kind: 'HelmRelease',
        name: 'nope',
        field: 'spec.chart.spec.version',
      },
      values,
    );
    if ('error' in missing) throw new Error(missing.error);
    expect(
      await writeFluxPatch(io, missing, '1.0.0', {
        target: target(),
        checkAuthorization: true,
        now: new Date(),
      }),
    ).toEqual({
      state: 'Failed',
      message: `HelmRelease ${ns}/nope does not exist or does not authorize Target ${ns}/prod-flux: Depot reads and writes it only when its owner adds the annotation depot.sh/authorized-targets: "${ns}/prod-flux" (or "${ns}/*")`,
      waitForChange: true,
    });

    const before = await client.get(HelmReleases, ns, 'core-helmrelease');
    for (const field of ['spec.chart.spec.versoin', 'spec.chart.spec.version.major']) {
      const t = patchTarget(
        { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name: 'core-helmrelease', field },
        values,
      );
      if ('error' in t) throw new Error(t.error);
      const res = await writeFluxPatch(io, t, '3.0.0', {
        target: target(),
        checkAuthorization: true,
        now: new Date(),
      });
      expect(res.state).toBe('Failed');
      expect(res.message).toContain(
        field === 'spec.chart.spec.versoin' ? 'versoin' : 'spec.chart.spec.version',
      );
      expect(res.message).toContain(`HelmRelease ${ns}/core-helmrelease`);
      expect(res.message).not.toContain('authorized-fields');
    }
    expect(await client.get(HelmReleases, ns, 'core-helmrelease')).toEqual(before);
  });
});

describe('deployed: read back from the status Flux controllers write (fields the upstream CRDs keep)', () => {
  const writeStatus = (r: ResourceType, name: string, status: object) =>
    writeFluxStatus(client, r, ns, name, status);
  const readyAt = (generation: number) => fluxReady(generation, 'ok', '2026-11-24T06:00:00Z');

  test('HelmRelease: status.history[0].chartVersion', async () => {
    const obj = (await client.get(HelmReleases, ns, 'core-helmrelease'))!;
    const generation = obj.metadata!.generation!;
    const written = await writeStatus(HelmReleases, 'core-helmrelease', {
      observedGeneration: generation,
      conditions: readyAt(generation),
      lastAttemptedRevision: '2.0.0',
      history: [
        {
          name: 'core',
          namespace: ns,
          version: 2,
          status: 'deployed',
          chartName: 'core',
          chartVersion: '2.0.0',
          configDigest: 'sha256:abc',
          digest: 'sha256:def',
          firstDeployed: '2026-11-24T06:00:00Z',
          lastDeployed: '2026-11-24T06:01:00Z',
        },
      ],
    });
    expect(deployedVersion('HelmRelease', ['spec', 'chart', 'spec', 'version'], written)).toEqual({
      version: '2.0.0',
      from: 'status.history[0].chartVersion',
    });
  });

  test('GitRepository and OCIRepository: status.artifact.revision', async () => {
    const artifact = (revision: string) => fluxArtifact('x', revision, 'c', '2026-11-24T06:00:00Z');
    const git = await writeStatus(GitRepositories, 'core-gitrepository', {
      conditions: readyAt(1),
      artifact: artifact('2.0.0@sha1:' + 'a'.repeat(40)),
    });
    expect(deployedVersion('GitRepository', ['spec', 'ref', 'tag'], git)).toMatchObject({ version: '2.0.0' });
    const oci = await writeStatus(OCIRepositories, 'core-ocirepository', {
      conditions: readyAt(1),
      artifact: artifact('2.0.0@sha256:' + 'b'.repeat(64)),
    });
    expect(deployedVersion('OCIRepository', ['spec', 'ref', 'tag'], oci)).toMatchObject({ version: '2.0.0' });
  });

  test('Kustomization: the substituted value once Ready for its generation with a lastAppliedRevision', async () => {
    const obj = (await client.get(Kustomizations, ns, 'core-kustomization'))!;
    const generation = obj.metadata!.generation!;
    const written = await writeStatus(Kustomizations, 'core-kustomization', {
      observedGeneration: generation,
      conditions: readyAt(generation),
      lastAppliedRevision: 'main@sha1:' + 'd'.repeat(40),
      lastAttemptedRevision: 'main@sha1:' + 'd'.repeat(40),
    });
    expect(
      deployedVersion('Kustomization', ['spec', 'postBuild', 'substitute', 'kustomization_version'], written),
    ).toMatchObject({ version: '2.0.0' });
  });
});

describe('receiver: a generic-hmac call to the real notification-controller', () => {
  let nc: NotificationController;
  let url: string;
  let allow: ReceiverOptions;
  const payload = { application: 'core', environment: 'prod', target: 'prod-flux', version: '2.0.0' };
  const hmac = (secret: string) => ({
    url,
    type: 'generic-hmac' as const,
    secretRef: { name: secret, key: 'token' },
  });

  beforeAll(async () => {
    nc = await startNotificationController(kubeconfig, ns);
    await client.create(Secrets, tokenSecret('receiver-token', ns, TOKEN));
    await client.create(Secrets, tokenSecret('wrong-token', ns, 'not-the-token'));
    await client.create(
      GitRepositories,
      fluxObject(GitRepositories, 'app', {
        interval: '1m',
        url: 'https://git.example/app.git',
        ref: { branch: 'main' },
      }),
    );
    await client.create(Receivers, gitReceiver('depot', ns, 'receiver-token', 'app'));
    const path = await receiverWebhookPath(client, ns, 'depot');
    url = `${nc.receiverBase}${path}`;
    allow = { allow: [`${nc.receiverBase}/hook/`], timeoutMs: 10_000 };
  }, 120_000);
  afterAll(() => nc?.stop());

  test("Depot's call makes the controller annotate the GitRepository", async () => {
    const before = await client.get(GitRepositories, ns, 'app');
    expect(before?.metadata?.annotations?.[RECONCILE_REQUESTED_AT_ANNOTATION]).toBeUndefined();
    const res = await callReceiver(
      io,
      hmac('receiver-token'),
      payload,
      target(),
      allow,
      AbortSignal.timeout(30_000),
    );
    expect(res).toEqual({
      state: 'Delivered',
      message: expect.stringContaining('accepted 2.0.0 (HTTP 200)'),
    });
    const annotated = await eventually('the requestedAt annotation on the GitRepository', async () => {
      const g = await client.get(GitRepositories, ns, 'app');
      return g?.metadata?.annotations?.[RECONCILE_REQUESTED_AT_ANNOTATION];
    });
    // notification-controller writes the time of the call (Go's time.Time String form).
    expect(annotated).toMatch(/^\d{4}-\d\d-\d\d /);
  });

  test('a wrong token: the receiver rejects it; Failed with the status code, no token in the message', async () => {
    const before = (await client.get(GitRepositories, ns, 'app'))!.metadata!.annotations![
      RECONCILE_REQUESTED_AT_ANNOTATION
    ];
    const res = await callReceiver(
      io,
      hmac('wrong-token'),
      payload,
      target(),
      allow,
      AbortSignal.timeout(30_000),
    );
    expect(res).toMatchObject({ state: 'Failed', statusCode: 400 });
    expect(res.message).toContain('answered HTTP 400');
    expect(res.message).not.toContain(TOKEN);
    expect(res.message).not.toContain('not-the-token');
    expect(res.message).not.toContain(url.slice(nc.receiverBase.length)); // the webhook path either
    expect(
      (await client.get(GitRepositories, ns, 'app'))!.metadata!.annotations![
        RECONCILE_REQUESTED_AT_ANNOTATION
      ],
    ).toBe(before);
  });

  test('a missing Secret, a missing key, an empty key: one message naming the Secret and the Target field', async () => {
    await client.create(Secrets, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'empty-token', namespace: ns },
      data: { token: '' },
    });
    const one = (name: string, key: string) =>
      `Secret ${ns}/${name} (spec.delivery.flux.receiver.secretRef of Target ${ns}/prod-flux) does not exist or has no non-empty key ${key}`;
    expect(
      await callReceiver(io, hmac('absent'), payload, target(), allow, AbortSignal.timeout(30_000)),
    ).toEqual({ state: 'Failed', message: one('absent', 'token') });
    const badKey = { ...hmac('receiver-token'), secretRef: { name: 'receiver-token', key: 'tok' } };
    expect(await callReceiver(io, badKey, payload, target(), allow, AbortSignal.timeout(30_000))).toEqual({
      state: 'Failed',
      message: one('receiver-token', 'tok'),
    });
    expect(
      await callReceiver(io, hmac('empty-token'), payload, target(), allow, AbortSignal.timeout(30_000)),
    ).toEqual({ state: 'Failed', message: one('empty-token', 'token') });
  });
});

describe('receiver: answers other than 2xx, timeouts, unreachable and not-allowed URLs', () => {
  let server: Server;
  let base: string;
  let mode: 'ok' | 'fail' | 'hang' | 'redirect' = 'ok';
  const calls: { signature?: string; body: string }[] = [];
  const payload = { application: 'core', environment: 'prod', target: 'prod-flux', version: '2.0.0' };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        calls.push({ signature: req.headers['x-signature'] as string | undefined, body });
        if (mode === 'hang') return; // never answers
        if (mode === 'redirect') return res.writeHead(302, { Location: `${base}/elsewhere` }).end();
        if (mode === 'fail') return res.writeHead(500).end(`internal error, echoing ${TOKEN}`);
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await client.create(Secrets, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'local-token', namespace: ns },
      data: { token: Buffer.from(TOKEN).toString('base64') },
    });
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  const call = (url: string, opts: Partial<ReceiverOptions> = {}) =>
    callReceiver(
      io,
      { url, type: 'generic-hmac', secretRef: { name: 'local-token', key: 'token' } },
      payload,
      target(),
      { allow: [`${base}/hook/`], timeoutMs: 2_000, ...opts },
      AbortSignal.timeout(30_000),
    );

  test('a 2xx answer is Delivered; the body and signature are what the spec says', async () => {
    mode = 'ok';
    calls.length = 0;
    expect(await call(`${base}/hook/abc`)).toMatchObject({ state: 'Delivered' });
    expect(calls).toHaveLength(1);
    expect(JSON.parse(calls[0]!.body)).toEqual(payload);
    expect(calls[0]!.signature).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  test('500: Failed with the status code; a token echoed by the receiver is redacted', async () => {
    mode = 'fail';
    const res = await call(`${base}/hook/abc`);
    expect(res).toMatchObject({ state: 'Failed', statusCode: 500 });
    expect(res.message).toContain('answered HTTP 500: internal error, echoing [redacted]');
    expect(res.message).not.toContain(TOKEN);
  });

  test('a redirect is not followed', async () => {
    mode = 'redirect';
    calls.length = 0;
    const res = await call(`${base}/hook/abc`);
    expect(res).toMatchObject({ state: 'Failed', statusCode: 302 });
    expect(res.message).toContain('redirects are not followed');
    expect(calls).toHaveLength(1);
  });

  test('no answer within the timeout: Failed', async () => {
    mode = 'hang';
    const res = await call(`${base}/hook/abc`, { timeoutMs: 500 });
    expect(res).toEqual({ state: 'Failed', message: expect.stringContaining('did not answer within 0.5 s') });
  });

  test('unreachable: Failed', async () => {
    const port = await freePort();
    const res = await call(`http://127.0.0.1:${port}/hook/abc`, { allow: [`http://127.0.0.1:${port}/`] });
    expect(res).toEqual({
      state: 'Failed',
      message: expect.stringContaining('is unreachable: ECONNREFUSED'),
    });
  });

  test('a URL outside the allow-list, or an empty allow-list: Failed, never called, and waiting for a change', async () => {
    mode = 'ok';
    calls.length = 0;
    expect(await call(`${base}/other/abc`)).toEqual({
      state: 'Failed',
      message: expect.stringContaining(
        'not called: the URL is under none of the prefixes allowed by --receiver-url-allow',
      ),
      waitForChange: true,
    });
    expect(await call(`${base}/hook/abc`, { allow: [] })).toEqual({
      state: 'Failed',
      message: expect.stringContaining('not called: no receiver URL is allowed'),
      waitForChange: true,
    });
    expect(calls).toHaveLength(0);
  });
});
