import { dropManagedFields } from '../../kube/managed-fields.js';
import { fluxResource } from './kinds.js';
import {
  blockedSegment,
  FLUX_VERSION_FIELDS,
  fluxConsentField,
  inPlace,
  parseFieldPath,
  valueAt,
  versionPatch,
} from './patch.js';
import { patchTarget } from './patch-target.js';

const values = { application: 'core', environment: 'prod', target: 'prod-flux', namespace: 'team-a' };

describe('the field a patch writes', () => {
  test('is a dotted path under spec', () => {
    expect(parseFieldPath('spec.chart.spec.version')).toEqual(['spec', 'chart', 'spec', 'version']);
    expect(parseFieldPath('metadata.labels.x')).toEqual({ error: expect.stringContaining('under spec') });
    expect(parseFieldPath('spec')).toEqual({ error: expect.stringContaining('under spec') });
    expect(parseFieldPath('spec..tag')).toEqual({ error: expect.stringContaining('empty segment') });
  });

  test('reads a value, undefined where the path is missing', () => {
    const obj = { spec: { ref: { tag: 'v1' }, list: ['a'] } };
    expect(valueAt(obj, ['spec', 'ref', 'tag'])).toBe('v1');
    expect(valueAt(obj, ['spec', 'ref', 'branch'])).toBeUndefined();
    expect(valueAt(obj, ['spec', 'ref', 'tag', 'x'])).toBeUndefined();
    expect(valueAt(obj, ['spec', 'list', '0'])).toBeUndefined();
  });

  test('a path through a scalar does not exist; a missing parent is created by the write', () => {
    const obj = { spec: { ref: { tag: 'v1' } } };
    expect(blockedSegment(obj, ['spec', 'ref', 'tag', 'x'])).toBe('spec.ref.tag');
    expect(blockedSegment(obj, ['spec', 'postBuild', 'substitute', 'v'])).toBeUndefined();
  });

  test('in place only when the field holds exactly the version', () => {
    const obj = { spec: { chart: { spec: { version: '1.2.3' } } } };
    expect(inPlace(obj, ['spec', 'chart', 'spec', 'version'], '1.2.3')).toBe(true);
    expect(inPlace(obj, ['spec', 'chart', 'spec', 'version'], 'v1.2.3')).toBe(false);
  });
});

describe('the patch', () => {
  test('sets only the field, the reconcile request and the resourceVersion guard', () => {
    expect(
      versionPatch(
        ['spec', 'postBuild', 'substitute', 'core_version'],
        '2.0.0',
        '2026-11-24T06:00:00.000Z',
        '42',
      ),
    ).toEqual({
      spec: { postBuild: { substitute: { core_version: '2.0.0' } } },
      metadata: {
        annotations: { 'reconcile.fluxcd.io/requestedAt': '2026-11-24T06:00:00.000Z' },
        resourceVersion: '42',
      },
    });
  });
});

describe('which object', () => {
  test('Flux kinds of Flux groups only', () => {
    expect(fluxResource('helm.toolkit.fluxcd.io/v2', 'HelmRelease')).toEqual({
      group: 'helm.toolkit.fluxcd.io',
      version: 'v2',
      plural: 'helmreleases',
      kind: 'HelmRelease',
      namespaced: true,
      cacheTransform: dropManagedFields,
    });
    expect(fluxResource('kustomize.config.k8s.io/v1beta1', 'Kustomization')).toEqual({
      error: expect.stringContaining('expected kustomize.toolkit.fluxcd.io/<version>'),
    });
    expect(fluxResource('source.toolkit.fluxcd.io/v1', 'HelmRepository')).toEqual({
      error: expect.stringContaining('not a Flux kind Depot can patch'),
    });
    expect(fluxResource('v1', 'toString')).toEqual({ error: expect.stringContaining('not a Flux kind') });
  });

  test("templates expanded; the namespace defaults to the Target's", () => {
    const t = patchTarget(
      {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        name: '${application}-${environment}',
        field: 'spec.postBuild.substitute.${application}_version',
      },
      values,
    );
    expect(t).toMatchObject({
      namespace: 'team-a',
      name: 'core-prod',
      field: 'spec.postBuild.substitute.core_version',
      path: ['spec', 'postBuild', 'substitute', 'core_version'],
      object: 'Kustomization team-a/core-prod',
    });
  });

  test('a bad setting names the field of the Target', () => {
    expect(patchTarget({ apiVersion: 'v1', kind: 'ConfigMap', name: 'x', field: 'spec.a' }, values)).toEqual({
      error: expect.stringMatching(/^spec\.delivery\.flux\.patch: kind ConfigMap/),
    });
    expect(
      patchTarget(
        { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', name: 'x', field: 'spec.ref.' },
        values,
      ),
    ).toEqual({ error: expect.stringMatching(/^spec\.delivery\.flux\.patch\.field: /) });
  });
});

describe("the kind's version fields (depot.sh/authorized-targets alone)", () => {
  test('per Flux kind', () => {
    expect(FLUX_VERSION_FIELDS).toEqual({
      GitRepository: ['spec.ref.tag', 'spec.ref.semver', 'spec.ref.commit', 'spec.ref.name'],
      OCIRepository: ['spec.ref.tag', 'spec.ref.semver', 'spec.ref.digest'],
      HelmRelease: ['spec.chart.spec.version'],
      Kustomization: [],
    });
  });

  test('a field is named as the Target writes it, after rendering', () => {
    const t = patchTarget(
      {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        name: 'apps',
        field: 'spec.postBuild.substitute.${application}_version',
      },
      values,
    );
    if ('error' in t) throw new Error(t.error);
    expect(fluxConsentField(t.resource.kind, t.field)).toEqual({
      name: 'spec.postBuild.substitute.core_version',
      versionFields: [],
    });
    expect(fluxConsentField('OCIRepository', 'spec.url').versionFields).not.toContain('spec.url');
    expect(fluxConsentField('HelmRelease', 'spec.targetNamespace').versionFields).toEqual([
      'spec.chart.spec.version',
    ]);
  });
});
