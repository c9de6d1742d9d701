// --no-delivery-authorization (single-tenant clusters): Depot writes Argo CD
// Applications without the depot.sh/authorized-targets opt-in.
import { applyManifests } from '../../src/local/manifests.js';
import { freshNamespace, testKubeConfig } from '../controlplane/env.js';
import { argoApp, argoClient } from '../kit/argocd.js';
import { applicationReader, depotObject } from '../kit/depot-objects.js';
import { eventually } from '../kit/eventually.js';
import { startOperator, type OperatorProcess } from '../kit/operator-process.js';
import { operatorKubeconfig } from '../kit/operator-rbac.js';

const kc = testKubeConfig();
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
  await applyManifests(
    kc,
    [
      depotObject('Environment', 'dev', {}),
      depotObject('Target', 'dev', {
        environment: 'dev',
        delivery: { argocd: { applicationNamespace: argoNs } },
      }),
      depotObject('Application', 'web', { environments: [{ name: 'dev' }], versions: { dev: '1.0.0' } }),
    ],
    { fieldManager: 'test-setup', namespace: ns },
  );
  operator = startOperator(await operatorKubeconfig(), ns, { args: ['--no-delivery-authorization'] });
  const getApp = applicationReader(kc);
  await eventually(
    'web delivered',
    async () =>
      (await getApp(ns, 'web')).status?.targets?.find((t) => t.name === 'dev')?.delivery?.state ===
      'Delivered',
  );
  expect((await argo.get(argoNs, 'web')).spec).toEqual({
    ...before.spec,
    source: { ...source, targetRevision: '1.0.0' },
  });
});
