import { parseLocalDelivery } from './local-delivery.js';

test('a Flux patch delivery from a file, with the schema defaults', () => {
  const text = `flux:
  patch:
    apiVersion: helm.toolkit.fluxcd.io/v2
    kind: HelmRelease
    name: \${application}
    namespace: apps
    field: spec.chart.spec.version
`;
  expect(parseLocalDelivery(text, 'delivery.yaml')).toEqual({
    flux: {
      patch: {
        apiVersion: 'helm.toolkit.fluxcd.io/v2',
        kind: 'HelmRelease',
        name: '${application}',
        namespace: 'apps',
        field: 'spec.chart.spec.version',
      },
    },
  });
  expect(parseLocalDelivery('argocd: {applicationNamespace: argo}', 'd.yaml')).toMatchObject({
    argocd: { applicationNamespace: 'argo', applicationName: '${application}', set: { targetRevision: {} } },
  });
});

test('invalid settings are one line naming the file and the field', () => {
  expect(parseLocalDelivery('flux: {patch: {kind: HelmRelease}}', 'd.yaml')).toMatch(
    /^d\.yaml: flux\.patch\.apiVersion: /,
  );
  expect(parseLocalDelivery('argocd: {}\nflux: {receiver: {url: http://x/hook}}', 'd.yaml')).toMatch(
    /^d\.yaml: /,
  );
  expect(parseLocalDelivery('agent: {}', 'd.yaml')).toBe(
    'd.yaml: agent: an agent delivers with argocd, flux or none, not agent',
  );
  expect(parseLocalDelivery('a: [', 'd.yaml')).toMatch(/^d\.yaml: not YAML: /);
});
