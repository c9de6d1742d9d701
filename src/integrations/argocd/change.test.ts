import type { Target } from '../../api/target.js';
import type { DeliveryRequest } from '../../core/delivery.js';
import { app } from '../../core/testing/builders.js';
import {
  ARGOCD_VERSION_FIELDS,
  argocdConsentField,
  argocdProblem,
  fieldWriters,
  argocdPlace,
  deployedVersion,
  imageName,
  imageTag,
  locateSource,
  readField,
  withTag,
  writeField,
  type ArgocdField,
} from './change.js';

const target = (argocd: object): Target =>
  ({
    apiVersion: 'depot.sh/v1alpha1',
    kind: 'Target',
    metadata: { name: 'prod-eu', namespace: 'team-a' },
    spec: { environment: 'prod', delivery: { argocd } },
  }) as Target;

const request = (argocd: object): DeliveryRequest => ({
  application: app('core'),
  target: target(argocd),
  environment: 'prod',
  version: '1.2.3',
  delivery: { argocd } as DeliveryRequest['delivery'],
});

describe('argocdPlace', () => {
  test('defaults: namespace argocd, name ${application}, targetRevision', () => {
    expect(argocdPlace(request({}))).toEqual({
      namespace: 'argocd',
      name: 'core',
      field: { kind: 'targetRevision' },
    });
  });

  test('templates are expanded in names, Helm parameters and images', () => {
    expect(
      argocdPlace(
        request({
          applicationNamespace: '${namespace}-argocd',
          applicationName: '${application}-${environment}-${target}',
          set: { helmParameter: '${application}.image.tag' },
          source: 'chart',
        }),
      ),
    ).toEqual({
      namespace: 'team-a-argocd',
      name: 'core-prod-prod-eu',
      field: { kind: 'helmParameter', name: 'core.image.tag' },
      source: 'chart',
    });
    expect(argocdPlace(request({ set: { kustomizeImage: 'ghcr.io/acme/${application}' } })).field).toEqual({
      kind: 'kustomizeImage',
      image: 'ghcr.io/acme/core',
    });
  });
});

describe('locateSource', () => {
  const a = { repoURL: 'a', name: 'chart' };
  const b = { repoURL: 'b' };
  test('single source, or the only entry of sources', () => {
    expect(locateSource({ source: a }, undefined, 'spec')).toEqual({ source: a, path: 'spec.source' });
    expect(locateSource({ sources: [b] }, undefined, 'spec')).toEqual({ source: b, path: 'spec.sources[0]' });
  });
  test('by index and by name', () => {
    expect(locateSource({ sources: [a, b] }, 1, 'spec')).toEqual({ source: b, path: 'spec.sources[1]' });
    expect(locateSource({ sources: [b, a] }, 'chart', 'spec')).toEqual({
      source: a,
      path: 'spec.sources[1]',
    });
  });
  test('errors name the field', () => {
    expect(locateSource({ sources: [a, b] }, undefined, 'spec')).toEqual({
      error:
        "spec.sources has 2 entries: set source (an index or a name) in the Target's delivery.argocd (or the Application's spec.targets override)",
    });
    expect(locateSource({ sources: [a] }, 3, 'spec')).toEqual({
      error: 'spec.sources has 1 entries: source index 3 is out of range',
    });
    expect(locateSource({ sources: [a, b] }, 'values', 'spec')).toEqual({
      error: 'no entry of spec.sources is named "values" (names: chart)',
    });
    expect(locateSource({}, undefined, 'spec')).toEqual({
      error: 'has neither spec.source nor spec.sources',
    });
    expect(locateSource({ source: b }, 2, 'spec')).toEqual({
      error: 'has no spec.sources (single source): source 2 does not exist',
    });
  });
});

describe('reading and writing the field', () => {
  const helm: ArgocdField = { kind: 'helmParameter', name: 'image.tag' };
  test('Helm parameter: changes only that entry, appends a missing one', () => {
    const source = {
      helm: {
        parameters: [
          { name: 'a', value: '1' },
          { name: 'image.tag', value: '0.1.0', forceString: true },
        ],
      },
    };
    expect(readField(source, helm)).toBe('0.1.0');
    writeField(source, helm, '1.2.3');
    expect(source.helm.parameters).toEqual([
      { name: 'a', value: '1' },
      { name: 'image.tag', value: '1.2.3', forceString: true },
    ]);
    const empty: Record<string, unknown> = {};
    expect(readField(empty, helm)).toBeUndefined();
    writeField(empty, helm, '1.2.3');
    expect(empty).toEqual({ helm: { parameters: [{ name: 'image.tag', value: '1.2.3' }] } });
  });

  test('Kustomize image: the tag of the named image, new names and registry ports kept', () => {
    const field: ArgocdField = { kind: 'kustomizeImage', image: 'ghcr.io/acme/core' };
    const source = {
      kustomize: {
        images: ['nginx:1.27', 'ghcr.io/acme/core=localhost:5000/core:0.1.0', 'ghcr.io/acme/core-ui:2'],
      },
    };
    expect(readField(source, field)).toBe('0.1.0');
    writeField(source, field, '1.2.3');
    expect(source.kustomize.images).toEqual([
      'nginx:1.27',
      'ghcr.io/acme/core=localhost:5000/core:1.2.3',
      'ghcr.io/acme/core-ui:2',
    ]);
    const none: Record<string, unknown> = { kustomize: { images: ['nginx:1.27'] } };
    writeField(none, field, '1.2.3');
    expect(none).toEqual({ kustomize: { images: ['nginx:1.27', 'ghcr.io/acme/core:1.2.3'] } });
  });

  test('image references', () => {
    expect(imageName('localhost:5000/acme/core:1.0')).toBe('localhost:5000/acme/core');
    expect(imageName('localhost:5000/acme/core')).toBe('localhost:5000/acme/core');
    expect(imageName('core@sha256:abc')).toBe('core');
    expect(imageTag('core=other/core@sha256:abc')).toBeUndefined();
    expect(withTag('core=other/core@sha256:abc', '2.0.0')).toBe('core=other/core:2.0.0');
    expect(withTag('localhost:5000/core', '2.0.0')).toBe('localhost:5000/core:2.0.0');
  });
});

describe('deployedVersion', () => {
  const place = { namespace: 'argocd', name: 'core', field: { kind: 'targetRevision' } as ArgocdField };
  const argo = (sync: string, health: string, comparedTo: object) => ({
    spec: { source: { targetRevision: '9.9.9' } },
    status: { sync: { status: sync, comparedTo, revision: 'abc123' }, health: { status: health } },
  });
  test('from comparedTo, only when Synced and Healthy', () => {
    expect(deployedVersion(argo('Synced', 'Healthy', { source: { targetRevision: '1.0.0' } }), place)).toBe(
      '1.0.0',
    );
    expect(
      deployedVersion(argo('OutOfSync', 'Healthy', { source: { targetRevision: '1.0.0' } }), place),
    ).toBeUndefined();
    expect(
      deployedVersion(argo('Synced', 'Progressing', { source: { targetRevision: '1.0.0' } }), place),
    ).toBeUndefined();
    expect(deployedVersion({ spec: {} }, place)).toBeUndefined();
  });
  test('multi-source: the same source of comparedTo.sources', () => {
    const sources = [
      { targetRevision: 'main', ref: 'values' },
      { name: 'chart', targetRevision: '2.0.0' },
    ];
    expect(deployedVersion(argo('Synced', 'Healthy', { sources }), { ...place, source: 'chart' })).toBe(
      '2.0.0',
    );
    expect(deployedVersion(argo('Synced', 'Healthy', { sources }), { ...place, source: 0 })).toBe('main');
  });
});

describe('what the live Application says about others', () => {
  const place = { namespace: 'argocd', name: 'web', field: { kind: 'targetRevision' as const } };

  test("Argo CD's error conditions are reported in its words; other conditions are not", () => {
    const app = {
      metadata: { name: 'web' },
      status: {
        conditions: [
          { type: 'SharedResourceWarning', message: 'shared' },
          { type: 'ComparisonError', message: "Unable to resolve '9.9.9' to a commit SHA" },
        ],
      },
    };
    expect(argocdProblem(app)).toBe(
      "Argo CD reports ComparisonError: Unable to resolve '9.9.9' to a commit SHA",
    );
    expect(argocdProblem({ metadata: { name: 'web' }, status: { conditions: [] } })).toBeUndefined();
  });

  test('the writers of the field are the managers other than Depot that own it in managedFields', () => {
    const app = {
      metadata: {
        name: 'web',
        managedFields: [
          {
            manager: 'depot-operator.argocd',
            fieldsV1: { 'f:spec': { 'f:source': { 'f:targetRevision': {} } } },
          },
          {
            manager: 'argocd-applicationset-controller',
            fieldsV1: { 'f:spec': { 'f:source': { 'f:targetRevision': {}, 'f:path': {} } } },
          },
          { manager: 'argocd-application-controller', fieldsV1: { 'f:status': {} } },
          { manager: 'kubectl', fieldsV1: { 'f:spec': { 'f:source': { 'f:path': {} } } } },
        ],
      },
      spec: { source: { targetRevision: '1.0.0' } },
    };
    expect(fieldWriters(app, place)).toEqual(['argocd-applicationset-controller']);
    expect(
      fieldWriters({ ...app, spec: { sources: [{ name: 'a' }, { name: 'b' }] } }, { ...place, source: 'b' }),
    ).toEqual([]);
  });
});

describe("the owner's consent names the field", () => {
  test('targetRevision (of any chosen source) is the only version field', () => {
    expect(ARGOCD_VERSION_FIELDS).toEqual(['targetRevision']);
    expect(argocdConsentField(argocdPlace(request({ source: 'chart' })).field)).toEqual({
      name: 'targetRevision',
      versionFields: ['targetRevision'],
    });
  });

  test('Helm parameters and Kustomize images are named helm:<parameter> and kustomize:<image>, after rendering', () => {
    const helm = argocdPlace(request({ set: { helmParameter: '${application}.image.repository' } }));
    expect(argocdConsentField(helm.field).name).toBe('helm:core.image.repository');
    const image = argocdPlace(request({ set: { kustomizeImage: 'ghcr.io/acme/${application}' } }));
    expect(argocdConsentField(image.field).name).toBe('kustomize:ghcr.io/acme/core');
  });
});
