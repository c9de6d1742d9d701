import { deployedVersion, fluxFailure, revisionName } from './deployed.js';
import type { KubeObject } from '../../kube/resource.js';

const ready = (generation = 2, extra: Record<string, unknown> = {}) => ({
  metadata: { name: 'x', namespace: 'n', generation },
  status: {
    observedGeneration: generation,
    conditions: [{ type: 'Ready', status: 'True', reason: 'Succeeded', observedGeneration: generation }],
    ...extra,
  },
});

const chartVersion = ['spec', 'chart', 'spec', 'version'];
const refTag = ['spec', 'ref', 'tag'];

describe('HelmRelease spec.chart.spec.version', () => {
  test('status.history[0].chartVersion of a deployed release', () => {
    const obj = ready(2, {
      history: [
        { chartVersion: '1.3.0', status: 'deployed' },
        { chartVersion: '1.2.0', status: 'superseded' },
      ],
      lastAttemptedRevision: '1.3.0',
    });
    expect(deployedVersion('HelmRelease', chartVersion, obj)).toEqual({
      version: '1.3.0',
      from: 'status.history[0].chartVersion',
    });
  });

  test('else lastAttemptedRevision, without the OCI digest suffix', () => {
    const obj = ready(2, {
      history: [{ chartVersion: '1.3.0', status: 'failed' }],
      lastAttemptedRevision: '1.3.0+0123456789ab',
    });
    expect(deployedVersion('HelmRelease', chartVersion, obj)).toEqual({
      version: '1.3.0',
      from: 'status.lastAttemptedRevision',
    });
  });

  test('nothing while not Ready, or without either field', () => {
    const failing = ready(2, { history: [{ chartVersion: '1.3.0', status: 'deployed' }] });
    failing.status.conditions[0] = {
      type: 'Ready',
      status: 'False',
      reason: 'UpgradeFailed',
      observedGeneration: 2,
    };
    expect(deployedVersion('HelmRelease', chartVersion, failing)).toEqual({
      waiting: 'it is not Ready (UpgradeFailed)',
    });
    expect(deployedVersion('HelmRelease', chartVersion, ready(2))).toEqual({
      waiting: expect.stringContaining('neither status.history nor status.lastAttemptedRevision'),
    });
    expect(deployedVersion('HelmRelease', chartVersion, { metadata: {}, status: {} })).toEqual({
      waiting: 'it has no Ready condition yet',
    });
  });
});

describe('GitRepository / OCIRepository spec.ref.tag', () => {
  test('the name part of status.artifact.revision', () => {
    const git = ready(3, { artifact: { revision: 'v1.2.3@sha1:a0c14dc8580a23f79bc654faa79c4f62b46c2c22' } });
    expect(deployedVersion('GitRepository', refTag, git)).toEqual({
      version: 'v1.2.3',
      from: 'status.artifact.revision',
    });
    const oci = ready(3, { artifact: { revision: '6.1.6@sha256:' + 'b'.repeat(64) } });
    expect(deployedVersion('OCIRepository', refTag, oci)).toEqual({
      version: '6.1.6',
      from: 'status.artifact.revision',
    });
  });

  test('revision forms', () => {
    expect(revisionName('refs/tags/v2@sha1:' + 'a'.repeat(40))).toBe('v2');
    expect(revisionName('v1.0.0/' + 'a'.repeat(40))).toBe('v1.0.0');
    expect(revisionName('sha1:' + 'a'.repeat(40))).toBeUndefined();
    expect(revisionName('HEAD/' + 'a'.repeat(40))).toBeUndefined();
  });

  test('nothing without an artifact', () => {
    expect(deployedVersion('GitRepository', refTag, ready(1))).toEqual({
      waiting: 'it has no status.artifact.revision yet',
    });
  });
});

describe('Kustomization spec.postBuild.substitute.<key>, and any other field', () => {
  const path = ['spec', 'postBuild', 'substitute', 'core_version'];
  const kustomization = (generation: number, observed: number, applied?: string) => ({
    metadata: { name: 'apps', namespace: 'n', generation },
    spec: { postBuild: { substitute: { core_version: '2.0.0' } } },
    status: {
      observedGeneration: observed,
      conditions: [
        { type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', observedGeneration: observed },
      ],
      ...(applied ? { lastAppliedRevision: applied } : {}),
    },
  });

  test('the field, once Flux applied the generation that holds it', () => {
    expect(deployedVersion('Kustomization', path, kustomization(4, 4, 'main@sha1:abc'))).toEqual({
      version: '2.0.0',
      from: 'spec.postBuild.substitute.core_version (applied: Ready at generation 4)',
    });
  });

  test('nothing while Flux has not reconciled the current generation, or applied nothing', () => {
    expect(deployedVersion('Kustomization', path, kustomization(5, 4, 'main@sha1:abc'))).toEqual({
      waiting: 'Flux has not reconciled generation 5 yet (observed 4)',
    });
    expect(deployedVersion('Kustomization', path, kustomization(4, 4))).toEqual({
      waiting: 'it has no status.lastAppliedRevision yet',
    });
  });

  test('a HelmRelease values field is read the same way', () => {
    const obj = { ...ready(2), spec: { values: { image: { tag: '9.9.9' } } } };
    expect(deployedVersion('HelmRelease', ['spec', 'values', 'image', 'tag'], obj)).toEqual({
      version: '9.9.9',
      from: 'spec.values.image.tag (applied: Ready at generation 2)',
    });
  });
});

describe('a source applied by a Kustomization (appliedBy)', () => {
  const revision = 'v1.2.0@sha1:' + 'c'.repeat(40);
  const git = {
    ...ready(3, { artifact: { revision } }),
    metadata: { name: 'app', namespace: 'n', generation: 3 },
  };
  const kustomization = (
    status: Record<string, unknown>,
    ready: { status: string; reason?: string; message?: string } = { status: 'True' },
    sourceRef: object = { kind: 'GitRepository', name: 'app' },
  ) => ({
    metadata: { name: 'app-deploy', namespace: 'n', generation: 2 },
    spec: { sourceRef },
    status: {
      observedGeneration: 2,
      conditions: [{ type: 'Ready', observedGeneration: 2, ...ready }],
      ...status,
    },
  });
  const applier = (object?: KubeObject) => ({ name: 'app-deploy', namespace: 'n', object });

  test("the tag once the Kustomization reports the source's revision applied and is Ready", () => {
    expect(
      deployedVersion(
        'GitRepository',
        refTag,
        git,
        applier(kustomization({ lastAppliedRevision: revision, lastAttemptedRevision: revision })),
      ),
    ).toEqual({ version: 'v1.2.0', from: 'status.lastAppliedRevision of Kustomization n/app-deploy' });
  });

  test('nothing while it has applied an older revision, or failed to apply this one', () => {
    const older = 'v1.1.0@sha1:' + 'b'.repeat(40);
    expect(
      deployedVersion('GitRepository', refTag, git, applier(kustomization({ lastAppliedRevision: older }))),
    ).toEqual({
      waiting: `Kustomization n/app-deploy has not applied ${revision} yet (last applied ${older})`,
    });
    const failed = kustomization(
      { lastAppliedRevision: revision, lastAttemptedRevision: revision },
      { status: 'False', reason: 'HealthCheckFailed', message: 'timeout' },
    );
    expect(deployedVersion('GitRepository', refTag, git, applier(failed))).toEqual({
      waiting: 'Kustomization n/app-deploy: it is not Ready (HealthCheckFailed: timeout)',
    });
  });

  test('nothing when the Kustomization is missing or applies another source', () => {
    expect(deployedVersion('GitRepository', refTag, git, applier())).toEqual({
      waiting: 'Kustomization n/app-deploy (spec.delivery.flux.patch.appliedBy) does not exist',
    });
    const other = kustomization({ lastAppliedRevision: revision }, undefined, {
      kind: 'GitRepository',
      name: 'other',
    });
    expect(deployedVersion('GitRepository', refTag, git, applier(other))).toEqual({
      waiting: 'Kustomization n/app-deploy applies GitRepository n/other, not GitRepository n/app',
    });
  });
});

describe("Flux's own failure for the spec that holds the version", () => {
  const failing = (generation: number, observed: number) => ({
    metadata: { name: 'app', namespace: 'n', generation },
    status: {
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'GitOperationFailed',
          message: 'couldn\'t find remote ref "refs/tags/v9.9.9"',
          observedGeneration: observed,
        },
      ],
    },
  });

  test('Ready=False for the current generation is reported with its reason and message', () => {
    expect(fluxFailure('GitRepository', failing(4, 4))).toBe(
      'Flux reports GitRepository n/app Ready=False (GitOperationFailed): couldn\'t find remote ref "refs/tags/v9.9.9"',
    );
  });

  test('not for an older generation (Flux has not tried this spec yet), nor while Ready or Unknown', () => {
    expect(fluxFailure('GitRepository', failing(5, 4))).toBeUndefined();
    expect(fluxFailure('GitRepository', ready(2))).toBeUndefined();
  });

  test("the applying Kustomization's failure on the source's revision", () => {
    const revision = 'v1.2.0@sha1:' + 'c'.repeat(40);
    const git = {
      ...ready(3, { artifact: { revision } }),
      metadata: { name: 'app', namespace: 'n', generation: 3 },
    };
    const ks = {
      metadata: { name: 'app-deploy', namespace: 'n', generation: 2 },
      status: {
        lastAttemptedRevision: revision,
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'BuildFailed',
            message: 'kustomize build failed',
            observedGeneration: 2,
          },
        ],
      },
    };
    expect(fluxFailure('GitRepository', git, { name: 'app-deploy', namespace: 'n', object: ks })).toBe(
      'Flux reports Kustomization n/app-deploy Ready=False (BuildFailed): kustomize build failed',
    );
    const otherRevision = {
      ...ks,
      status: { ...ks.status, lastAttemptedRevision: 'v1.1.0@sha1:' + 'b'.repeat(40) },
    };
    expect(
      fluxFailure('GitRepository', git, { name: 'app-deploy', namespace: 'n', object: otherRevision }),
    ).toBeUndefined();
  });
});
