// Names stay names (issue 22): a Target or Application whose delivery
// namespace or name can never be one ("..", ".", "${application}.") is
// refused by the API server; one that renders to an invalid value for an
// application fails it with Ready=False naming the template and the value;
// the API server sees no cluster-wide list or watch of Argo CD Applications
// meanwhile (its own apiserver_request_total). A tenant over
// --max-delivery-watches-per-namespace gets a Failed target, Delivered=False
// naming the limit, and the refusal metric.
import type { Application } from '../../src/api/application.js';
import { apiErrorMessage } from '../../src/kube/errors.js';
import { ArgoApplications } from '../../src/integrations/argocd/resource.js';
import { freePort } from '../../src/local/controlplane/index.js';
import { freshNamespace } from '../controlplane/env.js';
import { argoApp, argoClient } from '../kit/argocd.js';
import { cluster, targetStatus } from '../kit/cluster.js';
import { eventually } from '../kit/eventually.js';
import { parseMetrics, scrape, sum } from '../kit/metrics-text.js';
import { application, environment, target } from '../kit/objects.js';
import { runOperator } from '../kit/operator.js';
import type { OperatorProcess } from '../kit/operator-process.js';
import { getText } from '../kit/raw-request.js';

const k = cluster();
const argo = argoClient(k.kc);

let ns: string;
let argoA: string;
let argoB: string;
let operator: OperatorProcess;
let metricsUrl: string;

/** Requests for Argo CD Applications in every namespace at once, as the API server counted them. */
async function clusterWideArgoRequests(): Promise<number> {
  const samples = parseMetrics(await getText(k.kc, '/metrics'));
  return sum(samples, 'apiserver_request_total', {
    group: 'argoproj.io',
    resource: 'applications',
    scope: 'cluster',
  });
}

const condition = (a: Application, type: string) => a.status?.conditions?.find((c) => c.type === type);
let bad = 0;
/** A new name for each refused object: had one been admitted, it stays and is delivered to. */
const badName = () => `bad-${++bad}`;
const refusal = (objects: Parameters<typeof k.apply>[1]) =>
  k.apply(ns, objects).then(
    () => 'accepted',
    (err: unknown) => apiErrorMessage(err),
  );

let clusterWideBefore: number;

beforeAll(async () => {
  ns = await freshNamespace(k.kc, 'names');
  argoA = await freshNamespace(k.kc, 'argo-a');
  argoB = await freshNamespace(k.kc, 'argo-b');
  metricsUrl = `http://127.0.0.1:${await freePort()}`;
  operator = await runOperator(ns, {
    args: [
      '--metrics-addr',
      metricsUrl.slice('http://'.length),
      '--max-delivery-watches-per-namespace',
      '1',
      '--delivery-retry-base-delay',
      '200ms',
      '--delivery-retry-max-delay',
      '2s',
    ],
  });
  clusterWideBefore = await clusterWideArgoRequests();
  // An Application in prod: a Target admitted there with a bad namespace would be delivered to at once.
  await k.apply(ns, [
    environment('prod'),
    application('watcher', { environments: [{ name: 'prod' }], versions: { prod: '1.0.0' } }),
  ]);
}, 60_000);

afterAll(async () => {
  await operator?.stop();
});

describe('a namespace or name that can never be one is refused at admission', () => {
  test.each(['..', '.', '${application}.', '.${namespace}', 'a.b'])(
    'Target applicationNamespace "%s"',
    async (value) => {
      const message = await refusal([
        target(badName(), 'prod', { delivery: { argocd: { applicationNamespace: value } } }),
      ]);
      expect(message).toContain('spec.delivery.argocd.applicationNamespace');
      expect(message).toContain('must be a namespace');
    },
  );

  test.each(['..', '.', '${target}..x'])('Target and Application names "%s"', async (value) => {
    const flux = {
      patch: { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name: value, field: 'spec.x' },
    };
    expect(await refusal([target(badName(), 'prod', { delivery: { flux } })])).toContain(
      'spec.delivery.flux.patch.name',
    );
    expect(
      await refusal([
        application(badName(), { targets: { 'bad-1': { argocd: { applicationName: value } } } }),
      ]),
    ).toContain('must be an object name');
  });

  test("an Application's override of the namespace", async () => {
    const message = await refusal([
      application(badName(), { targets: { 'bad-1': { argocd: { applicationNamespace: '..' } } } }),
    ]);
    expect(message).toContain('spec.targets[bad-1].argocd.applicationNamespace');
  });
});

test('a template that renders an invalid namespace for one application: Ready=False naming template and value, nothing read', async () => {
  const app = 'an-application-name-long-enough-to-overflow-a-label'; // 51 characters
  const template = '${application}-${environment}-${target}';
  await k.apply(ns, [
    environment('edge'),
    target('far-away-eu', 'edge', { delivery: { argocd: { applicationNamespace: template } } }),
    application(app, { environments: [{ name: 'edge' }], versions: { edge: '1.0.0' } }),
  ]);
  const rendered = `${app}-edge-far-away-eu`;
  const a = await k.appWhen(
    ns,
    app,
    'Ready=False naming the template',
    (x) => condition(x, 'Ready')?.message?.includes(rendered),
    40_000,
  );
  expect(condition(a, 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidTarget' });
  expect(condition(a, 'Ready')?.message).toContain(
    `Target far-away-eu spec.delivery.argocd.applicationNamespace "${template}" renders to "${rendered}", which is not valid: it must be a namespace`,
  );
  expect(targetStatus(a, 'far-away-eu')?.delivery).toMatchObject({
    state: 'Failed',
    message: expect.stringContaining(`renders to "${rendered}"`),
  });
  // Nothing was watched for it.
  expect(sum(await scrape(metricsUrl), 'depot_delivery_watches')).toBe(0);
}, 60_000);

test('no cluster-wide list or watch of Argo CD Applications was sent, and the API server would have counted one', async () => {
  expect(await clusterWideArgoRequests()).toBe(clusterWideBefore);
  // The same counter sees a cluster-wide list (this one, from the test's own client).
  await k.client.list(ArgoApplications, {});
  await eventually('the API server counts a cluster-wide list', async () =>
    (await clusterWideArgoRequests()) > clusterWideBefore ? true : undefined,
  );
}, 60_000);

test('a tenant over --max-delivery-watches-per-namespace: the second namespace is refused, saying so, and counted', async () => {
  await argo.create(
    argoA,
    argoApp('web', { source: { repoURL: 'https://x', targetRevision: 'main' } }, `${ns}/ta`),
  );
  await argo.create(
    argoB,
    argoApp('web', { source: { repoURL: 'https://x', targetRevision: 'main' } }, `${ns}/tb`),
  );
  await k.apply(ns, [
    environment('staging'),
    target('ta', 'staging', { delivery: { argocd: { applicationNamespace: argoA } } }),
    target('tb', 'staging', { delivery: { argocd: { applicationNamespace: argoB } } }),
    application('web', { environments: [{ name: 'staging' }], versions: { staging: '2.0.0' } }),
  ]);
  const a = await k.appWhen(
    ns,
    'web',
    'ta Delivered, tb Failed',
    (x) =>
      targetStatus(x, 'ta')?.delivery?.state === 'Delivered' &&
      targetStatus(x, 'tb')?.delivery?.state === 'Failed',
  );
  const limit = `not watched: the Applications of namespace ${ns} already deliver to 1 kinds and namespaces, the most --max-delivery-watches-per-namespace allows; applications.argoproj.io in namespace ${argoB} would be one more`;
  expect(targetStatus(a, 'tb')?.delivery?.message).toBe(limit);
  expect(condition(a, 'Delivered')).toMatchObject({
    status: 'False',
    reason: 'DeliveryFailed',
    message: expect.stringContaining(`tb: Failed ${limit}`),
  });
  expect((await argo.get(argoB, 'web')).spec.source?.targetRevision).toBe('main');
  const samples = await scrape(metricsUrl);
  expect(sum(samples, 'depot_delivery_watch_refusals_total', { limit: 'per-namespace' })).toBeGreaterThan(0);
  expect(sum(samples, 'depot_delivery_watches')).toBe(1);
}, 60_000);
