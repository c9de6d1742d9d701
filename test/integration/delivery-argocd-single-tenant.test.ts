// --no-delivery-authorization (single-tenant clusters): Depot writes Argo CD
// Applications without the depot.sh/authorized-targets opt-in.
import { argoApp, argoClient } from '../kit/argocd.js';
import { application, environment, target } from '../kit/objects.js';
import { cluster, targetStatus } from '../kit/cluster.js';
import { runOperator } from '../kit/operator.js';
import type { OperatorProcess } from '../kit/operator-process.js';
import { freshNamespace } from '../controlplane/env.js';

const k = cluster();
const { kc } = k;
const argo = argoClient(kc);
let operator: OperatorProcess | undefined;

afterAll(async () => {
  await operator?.stop();
});

test('with --no-delivery-authorization an Application without the annotation is written', async () => {
  const ns = await freshNamespace(kc, 'argo-single');
  const argoNs = await freshNamespace(kc, 'argocd-single');
  const source = { repoURL: 'https://github.com/acme/web.git', path: '.', targetRevision: 'main' };
  const before = await argo.create(argoNs, argoApp('web', { source }));
  expect(before.metadata?.annotations).toBeUndefined();
  await k.apply(ns, [
    environment('dev'),
    target('dev', 'dev', { delivery: { argocd: { applicationNamespace: argoNs } } }),
    application('web', { environments: [{ name: 'dev' }], versions: { dev: '1.0.0' } }),
  ]);
  operator = await runOperator(ns, { args: ['--no-delivery-authorization'] });
  await k.appWhen(ns, 'web', 'web delivered', (a) => targetStatus(a, 'dev')?.delivery?.state === 'Delivered');
  expect((await argo.get(argoNs, 'web')).spec).toEqual({
    ...before.spec,
    source: { ...source, targetRevision: '1.0.0' },
  });
});
