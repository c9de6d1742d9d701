// Flux delivery through the operator process, on the real API server with the
// Flux CRDs and the real notification-controller: a generic-hmac Receiver call
// (a wrong token fails), failing receivers retried while other targets go on,
// no call outside the allow-list; patch into spec.ref.tag with the deployed
// version read back and reverts re-applied; the token appears nowhere.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AUTHORIZED_TARGETS_ANNOTATION } from '../../src/api/annotations.js';
import { RECONCILE_REQUESTED_AT_ANNOTATION } from '../../src/integrations/flux/patch.js';
import { freePort } from '../../src/local/controlplane/index.js';
import { Secrets, type KubeObject, type ResourceType } from '../../src/kube/resource.js';
import { freshNamespace } from '../controlplane/env.js';
import { application, environment, target } from '../kit/objects.js';
import { cluster, targetStatus } from '../kit/cluster.js';
import { eventually } from '../kit/eventually.js';
import { GitRepositories, HelmReleases, Kustomizations, OCIRepositories, Receivers } from '../kit/flux.js';
import {
  fluxArtifact,
  fluxObject,
  fluxPatchTarget,
  fluxReady,
  gitReceiver,
  gitRepository as kitGitRepository,
  receiverTarget as fluxReceiverTarget,
  receiverWebhookPath,
  tokenSecret,
  writeFluxStatus,
} from '../kit/flux.js';
import { startNotificationController, type NotificationController } from '../kit/notification-controller.js';
import { runOperator } from '../kit/operator.js';
import type { OperatorProcess } from '../kit/operator-process.js';

const k = cluster();
const { kc, client } = k;
const kubeconfig = process.env.DEPOT_TEST_KUBECONFIG!;
const readApp = k.app;
const TOKEN = 'flux-receiver-token-0d6c1b2a94';

const Events: ResourceType = {
  group: 'events.k8s.io',
  version: 'v1',
  plural: 'events',
  kind: 'Event',
  namespaced: true,
};

/** A local receiver whose answer is chosen per path: ok, fail (500) or hang (never answers). */
class LocalReceiver {
  readonly modes = new Map<string, 'ok' | 'fail' | 'hang'>();
  readonly calls: { path: string; body: string }[] = [];
  private server: Server;
  base = '';

  constructor() {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const path = req.url ?? '';
        this.calls.push({ path, body });
        const mode = this.modes.get(path) ?? 'ok';
        if (mode === 'hang') return;
        res.writeHead(mode === 'fail' ? 500 : 200).end(mode === 'fail' ? 'boom' : 'ok');
      });
    });
  }

  async listen(port = 0): Promise<void> {
    await new Promise<void>((r) => this.server.listen(port, '127.0.0.1', r));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  callsTo(path: string) {
    return this.calls.filter((c) => c.path === path);
  }

  close(): void {
    this.server.closeAllConnections();
    this.server.close();
  }
}

let ns: string;
let nc: NotificationController;
let local: LocalReceiver;
let recovered: LocalReceiver | undefined;
let downPort: number;
let operator: OperatorProcess;
/** The other kinds' objects as the API server stored them (CRD defaults included), by target. */
const created = new Map<string, KubeObject>();

const targetOf = targetStatus;

async function targetState(name: string) {
  return targetOf(await readApp(ns, 'core'), name);
}

const gitRepository = (name: string, annotations: Record<string, string>, ref: object) =>
  kitGitRepository(name, ref, { namespace: ns, annotations });

const receiverTarget = (name: string, url: string, secret = 'receiver-token') =>
  fluxReceiverTarget(name, 'prod', url, secret);

const patchTarget = (
  name: string,
  object: string,
  { apiVersion = 'source.toolkit.fluxcd.io/v1', kind = 'GitRepository', field = 'spec.ref.tag' } = {},
) => fluxPatchTarget(name, 'prod', { apiVersion, kind, name: object, field });

/** The other kinds, as created: each target writes one field of one of them. */
const otherKinds = () => [
  {
    target: 'helm',
    r: HelmReleases,
    path: ['spec', 'chart', 'spec', 'version'],
    spec: {
      interval: '5m',
      chart: {
        spec: { chart: 'core', version: '0.9.0', sourceRef: { kind: 'HelmRepository', name: 'charts' } },
      },
      values: { replicas: 2 },
    },
  },
  {
    target: 'oci',
    r: OCIRepositories,
    path: ['spec', 'ref', 'tag'],
    spec: { interval: '5m', url: 'oci://registry.example/core', ref: { tag: '0.9.0' } },
  },
  {
    target: 'kustomize',
    r: Kustomizations,
    path: ['spec', 'postBuild', 'substitute', 'core_version'],
    spec: {
      interval: '10m',
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'apps' },
      postBuild: { substitute: { region: 'eu' } },
    },
    // Not a version field of a Kustomization: its owner names it.
    annotations: { 'depot.sh/authorized-fields': 'spec.postBuild.substitute.core_version' },
  },
];

const at = (obj: unknown, path: string[]): unknown =>
  path.reduce<unknown>((node, seg) => (node as Record<string, unknown> | undefined)?.[seg], obj);

beforeAll(async () => {
  ns = await freshNamespace(kc, 'fluxdel');
  nc = await startNotificationController(kubeconfig, ns);
  local = new LocalReceiver();
  await local.listen();
  downPort = await freePort();
  local.modes.set('/hook/fail', 'fail');
  local.modes.set('/hook/hang', 'hang');

  await client.create(Secrets, tokenSecret('receiver-token', ns, TOKEN));
  await client.create(Secrets, tokenSecret('wrong-token', ns, 'wrong-token-value'));
  const optIn = { [AUTHORIZED_TARGETS_ANNOTATION]: `${ns}/*` };
  // It also names the misspelt field of target typo: the API server's schema refuses that one.
  await client.create(
    GitRepositories,
    gitRepository('core', { ...optIn, 'depot.sh/authorized-fields': 'spec.ref.tagg' }, { tag: 'v0.9.0' }),
  );
  await client.create(GitRepositories, gitRepository('watched', {}, { branch: 'main' }));
  await client.create(GitRepositories, gitRepository('not-opted-in', { team: 'b' }, { tag: 'v0.1.0' }));
  await client.create(GitRepositories, gitRepository('both', optIn, { tag: 'v0.1.0' }));
  for (const k of otherKinds())
    created.set(
      k.target,
      await client.create(
        k.r,
        fluxObject(k.r, 'core', k.spec, { namespace: ns, annotations: { ...optIn, ...k.annotations } }),
      ),
    );
  await client.create(Receivers, gitReceiver('depot', ns, 'receiver-token', 'watched'));
  const webhookPath = await receiverWebhookPath(client, ns, 'depot');
  const ncUrl = `${nc.receiverBase}${webhookPath}`;

  await k.apply(ns, [
    environment('prod'),
    receiverTarget('nc', ncUrl),
    receiverTarget('nc-wrong-token', ncUrl, 'wrong-token'),
    receiverTarget('answers-500', `${local.base}/hook/fail`),
    receiverTarget('times-out', `${local.base}/hook/hang`),
    receiverTarget('unreachable', `http://127.0.0.1:${downPort}/hook/down`),
    receiverTarget('not-allowed', `${local.base}/other/x`),
    patchTarget('patch', '${application}'),
    patchTarget('patch-not-opted-in', 'not-opted-in'),
    patchTarget('helm', '${application}', {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      field: 'spec.chart.spec.version',
    }),
    patchTarget('oci', '${application}', {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'OCIRepository',
    }),
    patchTarget('kustomize', '${application}', {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      field: 'spec.postBuild.substitute.${application}_version',
    }),
    patchTarget('typo', '${application}', { field: 'spec.ref.tagg' }),
    // patch and receiver together: the patch first, then the call.
    target('both', 'prod', {
      delivery: {
        flux: {
          patch: {
            apiVersion: 'source.toolkit.fluxcd.io/v1',
            kind: 'GitRepository',
            name: 'both',
            field: 'spec.ref.tag',
          },
          receiver: { url: `${local.base}/hook/both`, type: 'generic' },
        },
      },
    }),
    application('core', { environments: [{ name: 'prod' }], versions: { prod: '1.0.0' } }),
  ]);
  operator = await runOperator(ns, {
    args: [
      '--receiver-url-allow',
      `${nc.receiverBase}/hook/,${local.base}/hook/`,
      '--receiver-url-allow',
      `http://127.0.0.1:${downPort}/hook/`,
      '--receiver-timeout',
      '1s',
      '--delivery-retry-base-delay',
      '300ms',
      '--delivery-retry-max-delay',
      '3s',
    ],
  });
}, 120_000);

afterAll(async () => {
  await operator?.stop();
  await nc?.stop();
  local?.close();
  recovered?.close();
  await k.close();
});

test("generic-hmac: Depot's call makes the real notification-controller annotate the GitRepository", async () => {
  const nc = await eventually('target nc delivered', async () => {
    const t = await targetState('nc');
    return t?.delivery?.state === 'Delivered' && t;
  });
  expect(nc.delivery?.message).toContain('accepted 1.0.0 (HTTP 200)');
  const requested = await eventually('the requestedAt annotation on GitRepository watched', async () => {
    const g = await client.get(GitRepositories, ns, 'watched');
    return g?.metadata?.annotations?.[RECONCILE_REQUESTED_AT_ANNOTATION];
  });
  expect(requested).toBeTruthy();
});

test('a wrong token: the receiver rejects it and the target is Failed with the status code', async () => {
  const t = await eventually('target nc-wrong-token failed', async () => {
    const s = await targetState('nc-wrong-token');
    return s?.delivery?.state === 'Failed' && s;
  });
  expect(t.delivery?.message).toContain('answered HTTP 400');
  expect(t.delivery?.message).toContain(`Target ${ns}/nc-wrong-token`);
});

test('500, timeout, unreachable: Failed and retried with growing delay while the other targets are delivered; delivered once they recover', async () => {
  const failing = await eventually('the three failing targets failed, patch delivered', async () => {
    const app = await readApp(ns, 'core');
    const [a, b, c, p] = ['answers-500', 'times-out', 'unreachable', 'patch'].map((n) => targetOf(app, n));
    const failed = [a, b, c].every((t) => t?.delivery?.state === 'Failed' && (t.delivery.attempts ?? 0) >= 3);
    return failed && p?.delivery?.state === 'Delivered' && { a: a!, b: b!, c: c! };
  });
  expect(failing.a.delivery?.message).toContain('answered HTTP 500: boom');
  expect(failing.b.delivery?.message).toContain('did not answer within 1 s');
  expect(failing.c.delivery?.message).toContain('is unreachable: ECONNREFUSED');
  expect(local.callsTo('/hook/fail').length).toBeGreaterThanOrEqual(3);

  // The delays the operator scheduled, from its log: each retry waits longer.
  for (const target of ['answers-500', 'times-out', 'unreachable']) {
    const delays = operator
      .output()
      .split('\n')
      .filter((l) => l.includes('"delivery not done"') && l.includes(`"target":"${target}"`))
      .map((l) => (JSON.parse(l) as { retryInMs: number }).retryInMs);
    expect(delays.length).toBeGreaterThanOrEqual(3);
    expect(delays[1]).toBeGreaterThan(delays[0]!);
    expect(delays[2]).toBeGreaterThan(delays[1]!);
  }

  // Recovery, with no manual step.
  local.modes.set('/hook/fail', 'ok');
  local.modes.set('/hook/hang', 'ok');
  recovered = new LocalReceiver();
  await recovered.listen(downPort);
  await eventually('the recovered targets delivered', async () => {
    const app = await readApp(ns, 'core');
    return ['answers-500', 'times-out', 'unreachable'].every(
      (n) => targetOf(app, n)?.delivery?.state === 'Delivered',
    );
  });
  expect(JSON.parse(recovered.callsTo('/hook/down').at(-1)!.body)).toEqual({
    application: 'core',
    environment: 'prod',
    target: 'unreachable',
    version: '1.0.0',
  });
}, 120_000);

test('a URL outside the allow-list is Failed and never called', async () => {
  const t = await eventually('target not-allowed failed', async () => {
    const s = await targetState('not-allowed');
    return s?.delivery?.state === 'Failed' && s;
  });
  expect(t.delivery?.message).toContain(
    'not called: the URL is under none of the prefixes allowed by --receiver-url-allow',
  );
  expect(local.callsTo('/other/x')).toHaveLength(0);
});

test('patch: the version lands in spec.ref.tag and the deployed version comes back from status', async () => {
  const repo = await eventually('spec.ref.tag of GitRepository core', async () => {
    const g = await client.get(GitRepositories, ns, 'core');
    return (g?.spec as { ref?: { tag?: string } })?.ref?.tag === '1.0.0' && g;
  });
  expect(repo.metadata?.annotations?.[RECONCILE_REQUESTED_AT_ANNOTATION]).toBeTruthy();
  // Everything else as created (timeout: the CRD's default).
  expect(repo.spec).toEqual({
    interval: '1m',
    timeout: '60s',
    url: `https://git.example/core.git`,
    ref: { tag: '1.0.0' },
  });

  // What source-controller would report once it fetched the tag.
  const generation = repo.metadata!.generation;
  await writeFluxStatus(client, GitRepositories, ns, 'core', {
    observedGeneration: generation,
    conditions: fluxReady(generation, "stored artifact for revision '1.0.0@sha1:…'"),
    artifact: fluxArtifact('core', `1.0.0@sha1:${'f'.repeat(40)}`, 'e'),
  });
  const app = await eventually('deployed 1.0.0 on target patch', async () => {
    const a = await readApp(ns, 'core');
    return targetOf(a, 'patch')?.deployed === '1.0.0' && a;
  });
  expect(app.status?.history).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ type: 'Deployed', target: 'patch', to: '1.0.0', actor: 'flux' }),
    ]),
  );
});

test('a reset field is re-applied, with a Reapplied history entry', async () => {
  await client.patch(GitRepositories, ns, 'core', { spec: { ref: { tag: 'v0.9.0' } } }, { type: 'merge' });
  await eventually('spec.ref.tag re-applied', async () => {
    const g = await client.get(GitRepositories, ns, 'core');
    return (g?.spec as { ref?: { tag?: string } })?.ref?.tag === '1.0.0';
  });
  const app = await eventually('a Reapplied entry', async () => {
    const a = await readApp(ns, 'core');
    return a.status?.history?.some((h) => h.type === 'Reapplied' && h.target === 'patch') && a;
  });
  expect(app.status?.history?.find((h) => h.type === 'Reapplied')).toMatchObject({
    from: 'v0.9.0',
    to: '1.0.0',
  });
});

test('an object that did not opt in is not written; the message names the annotation to add', async () => {
  const t = await eventually('target patch-not-opted-in failed', async () => {
    const s = await targetState('patch-not-opted-in');
    return s?.delivery?.state === 'Failed' && s;
  });
  expect(t.delivery?.message).toContain(
    `GitRepository ${ns}/not-opted-in does not exist or does not authorize Target ${ns}/patch-not-opted-in`,
  );
  expect(t.delivery?.message).toContain(AUTHORIZED_TARGETS_ANNOTATION);
  const obj = await client.get(GitRepositories, ns, 'not-opted-in');
  expect(obj?.spec).toEqual({
    interval: '1m',
    timeout: '60s',
    url: 'https://git.example/not-opted-in.git',
    ref: { tag: 'v0.1.0' },
  });
  expect(obj?.metadata?.annotations).toEqual({ team: 'b' });
});

test('every kind: the version lands in its field and nothing else changes; the deployed version flows back', async () => {
  const ready = (generation: number) => fluxReady(generation);
  for (const k of otherKinds()) {
    const obj = await eventually(`${k.target}: 1.0.0 in ${k.path.join('.')}`, async () => {
      const o = await client.get(k.r, ns, 'core');
      return at(o, k.path) === '1.0.0' && o;
    });
    const expected = structuredClone(created.get(k.target)!.spec) as Record<string, unknown>;
    let node = expected;
    for (const seg of k.path.slice(1, -1)) node = (node[seg] ??= {}) as Record<string, unknown>;
    node[k.path.at(-1)!] = '1.0.0';
    expect({ target: k.target, spec: obj.spec }).toEqual({ target: k.target, spec: expected });
    expect(obj.metadata?.annotations?.[RECONCILE_REQUESTED_AT_ANNOTATION]).toBeTruthy();
    const generation = obj.metadata!.generation!;
    // What each Flux controller reports once it has reconciled.
    const status =
      k.target === 'helm'
        ? {
            observedGeneration: generation,
            conditions: ready(generation),
            lastAttemptedRevision: '1.0.0',
            history: [
              {
                name: 'core',
                namespace: ns,
                version: 3,
                status: 'deployed',
                chartName: 'core',
                chartVersion: '1.0.0',
                configDigest: 'sha256:a',
                digest: 'sha256:b',
                firstDeployed: new Date().toISOString(),
                lastDeployed: new Date().toISOString(),
              },
            ],
          }
        : k.target === 'oci'
          ? {
              observedGeneration: generation,
              conditions: ready(generation),
              artifact: fluxArtifact('core', `1.0.0@sha256:${'2'.repeat(64)}`, '1'),
            }
          : {
              observedGeneration: generation,
              conditions: ready(generation),
              lastAppliedRevision: `main@sha1:${'3'.repeat(40)}`,
              lastAttemptedRevision: `main@sha1:${'3'.repeat(40)}`,
            };
    await client.replace(k.r, { ...obj, status }, { subresource: 'status' });
  }
  const app = await eventually('deployed 1.0.0 on helm, oci and kustomize', async () => {
    const a = await readApp(ns, 'core');
    return ['helm', 'oci', 'kustomize'].every((n) => targetOf(a, n)?.deployed === '1.0.0') && a;
  });
  for (const target of ['helm', 'oci', 'kustomize'])
    expect(app.status?.history).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'Deployed', target, to: '1.0.0', actor: 'flux' }),
      ]),
    );
});

test('a field the kind does not have: Failed naming the field and the object; nothing written', async () => {
  const t = await eventually('target typo failed', async () => {
    const s = await targetState('typo');
    return s?.delivery?.state === 'Failed' && s;
  });
  expect(t.delivery?.message).toContain('spec.ref.tagg');
  expect(t.delivery?.message).toContain(`GitRepository ${ns}/core`);
  // The API server's reason, without the object its error quotes (annotations, other values).
  expect(t.delivery?.message).toContain('strict decoding error: unknown field "spec.ref.tagg"');
  expect(t.delivery?.message).not.toContain('authorized-fields');
  const repo = await client.get(GitRepositories, ns, 'core');
  expect((repo?.spec as { ref: object }).ref).toEqual({ tag: '1.0.0' });
});

test('a new version reaches every Flux target', async () => {
  const before = local.callsTo('/hook/fail').length;
  await k.apply(ns, [application('core', { environments: [{ name: 'prod' }], versions: { prod: '1.1.0' } })]);
  await eventually('1.1.0 delivered to patch, nc and answers-500', async () => {
    const a = await readApp(ns, 'core');
    return ['patch', 'nc', 'answers-500'].every(
      (n) => targetOf(a, n)?.desired === '1.1.0' && targetOf(a, n)?.delivery?.state === 'Delivered',
    );
  });
  const g = await client.get(GitRepositories, ns, 'core');
  expect((g?.spec as { ref: { tag: string } }).ref.tag).toBe('1.1.0');
  const calls = local.callsTo('/hook/fail').slice(before);
  expect(calls.map((c) => (JSON.parse(c.body) as { version: string }).version)).toEqual(['1.1.0']);
});

test('the receiver token is in no log line, audit line, Event or status', async () => {
  const base64 = Buffer.from(TOKEN).toString('base64');
  const events = await client.list(Events, { namespace: ns });
  const app = await readApp(ns, 'core');
  const places = {
    'logs and audit log': operator.output(),
    Events: JSON.stringify(events.items),
    status: JSON.stringify(app.status),
  };
  expect(places['logs and audit log']).toContain('delivery not done'); // the logs are there
  for (const [where, text] of Object.entries(places)) {
    expect({ where, leaks: text.includes(TOKEN) || text.includes(base64) }).toEqual({ where, leaks: false });
    expect({ where, leaks: text.includes('wrong-token-value') }).toEqual({ where, leaks: false });
  }
});

test('patch and receiver together: the field written, then the Receiver called', async () => {
  const t = await eventually('target both delivered with 1.1.0', async () => {
    const s = await targetState('both');
    return s?.desired === '1.1.0' && s.delivery?.state === 'Delivered' && s;
  });
  expect(t.delivery?.message).toMatch(
    /spec\.ref\.tag of GitRepository .*\/both set to 1\.1\.0.*; receiver .* accepted 1\.1\.0/,
  );
  const repo = await client.get(GitRepositories, ns, 'both');
  expect((repo?.spec as { ref: object }).ref).toEqual({ tag: '1.1.0' });
  expect(local.callsTo('/hook/both').map((c) => (JSON.parse(c.body) as { version: string }).version)).toEqual(
    ['1.0.0', '1.1.0'],
  );
});

test('deleting the Depot Application leaves the Flux objects alone', async () => {
  const before = await client.get(GitRepositories, ns, 'core');
  const app = await readApp(ns, 'core');
  await client.delete(
    { group: 'depot.sh', version: 'v1alpha1', plural: 'applications', kind: 'Application', namespaced: true },
    ns,
    'core',
  );
  await eventually('the Application gone', async () => {
    try {
      await readApp(ns, 'core');
      return false;
    } catch {
      return true;
    }
  });
  expect(app.metadata.uid).toBeTruthy();
  const after = await client.get(GitRepositories, ns, 'core');
  expect(after?.metadata?.resourceVersion).toBe(before?.metadata?.resourceVersion);
  expect(after?.metadata?.ownerReferences).toBeUndefined();
  expect(after?.metadata?.finalizers).toBeUndefined();
});
