// The actions over an in-memory API (the store the controllers' reconcile
// tests use): check → plan → guarded write → again on 409, and one typed
// refusal per thing that cannot be done, with nothing written.
import type { Application } from '../api/application.js';
import { Applications, EnvironmentSets, Environments, Promotions } from '../api/resources.js';
import { app, env, promotion, set } from '../core/testing/builders.js';
import { KubeApiError } from '../kube/errors.js';
import type { KubeObject } from '../kube/resource.js';
import { MemoryCluster } from '../runtime/testing/memory-cluster.js';
import { ActionError } from './errors.js';
import type { ActionContext, ActionPort } from './port.js';
import { approve, reject, release, rollback, unreject } from './release-control.js';
import { promote, reportDeployed, setVersion } from './versions.js';

const at = '2026-12-01T10:00:00Z';

function world(): MemoryCluster {
  const cluster = new MemoryCluster();
  cluster.add(Environments, env('dev'), env('staging'), env('prod'));
  cluster.add(EnvironmentSets, set('default', ['dev', 'staging', 'prod']));
  cluster.add(
    Applications,
    app(
      'core',
      {
        versions: { dev: '1.2.0', prod: '1.1.0' },
        rejectedVersions: [{ version: '1.0.5', reason: 'broken' }],
      },
      {
        status: {
          environments: [
            { name: 'dev', requested: '1.2.0', desired: '1.2.0' },
            { name: 'staging' },
            { name: 'prod', requested: '1.1.0', desired: '1.1.0' },
          ],
          targets: [{ name: 'dev-1', environment: 'dev', desired: '1.2.0' }],
          history: [
            { time: at, type: 'Requested', environment: 'prod', from: '1.0.5', to: '1.1.0' },
            { time: at, type: 'Requested', environment: 'prod', from: '1.0.0', to: '1.0.5' },
            { time: at, type: 'Requested', environment: 'prod', from: '0.9.0', to: '1.0.0' },
          ],
        },
      },
    ) as KubeObject,
    app('tool', { versionScheme: 'opaque', versions: {} }) as KubeObject,
  );
  return cluster;
}

/** The port over the in-memory API, counting fresh reads (after a conflict). */
function memoryPort(cluster: MemoryCluster) {
  const reads = { fresh: 0 };
  const port: ActionPort = {
    get: async (resource, ns, name, opts) => {
      if (opts?.fresh) reads.fresh++;
      return cluster.api.get(resource, ns, name);
    },
    list: async (resource, ns) => (await cluster.api.list(resource, { namespace: ns })).items,
    apply: async (resource, ns, name, body, fieldManager) => {
      await cluster.api.patch(resource, ns, name, body, { type: 'apply', fieldManager, force: true });
    },
    patch: async (resource, ns, name, body, opts) => {
      await cluster.api.patch(resource, ns, name, body, opts);
    },
  };
  return { port, reads };
}

let cluster: MemoryCluster;
let ctx: ActionContext;
let reads: { fresh: number };
beforeEach(() => {
  cluster = world();
  const memory = memoryPort(cluster);
  reads = memory.reads;
  ctx = { port: memory.port, namespace: 'ns', user: 'alice', now: () => new Date(at) };
});

const core = () => cluster.get<Application & KubeObject>(Applications, 'ns', 'core')!;

/** The refusal an action gives, and that it wrote nothing. */
async function refusal(run: Promise<unknown>): Promise<Pick<ActionError, 'kind' | 'reason' | 'input'>> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ActionError);
  expect(cluster.writes).toEqual([]);
  const { kind, reason, input } = err as ActionError;
  return { kind, reason, input };
}

describe('setVersion', () => {
  test("applies spec.versions[env] with the user's field manager, guarded by the resourceVersion read", async () => {
    const rv = core().metadata.resourceVersion;
    const done = await setVersion(ctx, { application: 'core', environment: 'staging', version: '1.2.0' });
    expect(done).toEqual({
      application: 'core',
      environment: 'staging',
      version: '1.2.0',
      fieldManager: 'depot-cli.staging.alice',
    });
    expect(cluster.writes).toMatchObject([
      {
        patchType: 'apply',
        fieldManager: 'depot-cli.staging.alice',
        body: { metadata: { resourceVersion: rv }, spec: { versions: { staging: '1.2.0' } } },
      },
    ]);
    expect(core().spec.versions).toEqual({ dev: '1.2.0', staging: '1.2.0', prod: '1.1.0' });
  });

  test('an environment the application does not have is not found, naming the ones it has', async () => {
    expect(
      await refusal(setVersion(ctx, { application: 'core', environment: 'prd', version: '1.2.0' })),
    ).toEqual({
      kind: 'notFound',
      reason: 'prd is not an environment of core (dev, staging, prod)',
      input: undefined,
    });
  });

  test('a version outside the scheme is invalid, naming the field in each front end', async () => {
    expect(
      await refusal(setVersion(ctx, { application: 'core', environment: 'dev', version: 'main' })),
    ).toEqual({
      kind: 'invalid',
      reason: 'must be a semantic version such as 1.2.3 or v1.2.3-rc.1 (core has versionScheme semver)',
      input: { http: 'version', cli: 'spec.versions.dev' },
    });
    // An opaque application takes it.
    await setVersion(ctx, { application: 'tool', environment: 'dev', version: 'main' });
  });

  test('an unknown application is not found', async () => {
    expect(
      await refusal(setVersion(ctx, { application: 'ghost', environment: 'dev', version: '1.0.0' })),
    ).toEqual({
      kind: 'notFound',
      reason: 'application "ghost" not found in namespace ns',
      input: undefined,
    });
  });

  test('a conflicting write is planned again from a fresh read; a lasting one is a conflict', async () => {
    const patch = cluster.api.patch;
    let conflicts = 2;
    cluster.api.patch = async (...args) => {
      if (conflicts-- > 0) throw new KubeApiError(409, 'the object has been modified', 'Conflict');
      return patch(...args);
    };
    await setVersion(ctx, { application: 'core', environment: 'staging', version: '1.2.0' });
    expect(reads.fresh).toBe(2);
    expect(core().spec.versions?.staging).toBe('1.2.0');

    conflicts = Infinity;
    const err = (await setVersion(ctx, {
      application: 'core',
      environment: 'staging',
      version: '1.2.1',
    }).catch((e: unknown) => e)) as ActionError;
    expect(err).toBeInstanceOf(ActionError);
    expect(err.kind).toBe('conflict');
    expect(err.reason).toBe('application "core" changed during each of 5 attempts to write it: try again');
  });

  test('a write made stale by a concurrent change is refused by the guard and planned again', async () => {
    const apply = ctx.port.apply;
    let raced = false;
    ctx.port.apply = async (...args) => {
      if (!raced) {
        raced = true; // someone else writes between our read and our write
        await cluster.api.patch(
          Applications,
          'ns',
          'core',
          { metadata: { labels: { team: 'a' } } },
          { type: 'merge' },
        );
      }
      return apply(...args);
    };
    await setVersion(ctx, { application: 'core', environment: 'staging', version: '1.2.0' });
    expect(reads.fresh).toBe(1);
    expect(core().metadata.labels).toEqual({ team: 'a' });
    expect(core().spec.versions?.staging).toBe('1.2.0');
  });
});

describe('promote', () => {
  test("requests the source environment's desired version", async () => {
    const done = await promote(ctx, { application: 'core', environment: 'staging' });
    expect(done).toMatchObject({ version: '1.2.0', from: 'dev', via: 'environment order' });
    expect(cluster.writes).toMatchObject([{ fieldManager: 'depot-promote.staging.alice' }]);
  });

  test('nothing desired in the source is a conflict; an unknown source is invalid input', async () => {
    expect(await refusal(promote(ctx, { application: 'core', environment: 'prod' }))).toMatchObject({
      kind: 'conflict',
      reason: 'no version of core is desired in staging yet',
    });
    expect(await refusal(promote(ctx, { application: 'core', environment: 'prod', from: 'qa' }))).toEqual({
      kind: 'invalid',
      reason: 'qa is not an environment of core (dev, staging, prod)',
      input: { http: 'from', cli: '--from' },
    });
  });
});

describe('reportDeployed', () => {
  test('patches status.targets from the object as read, keeping fields a newer operator added', async () => {
    const raw = structuredClone(core());
    (raw.status!.targets![0] as Record<string, unknown>).observedBy = 'argocd';
    cluster.add(Applications, raw);
    await reportDeployed(ctx, { application: 'core', target: 'dev-1', version: '1.2.0' });
    expect(cluster.writes).toMatchObject([
      {
        subresource: 'status',
        fieldManager: 'depot-cli.deployed.alice',
        body: {
          status: {
            targets: [
              {
                name: 'dev-1',
                deployed: '1.2.0',
                deployedAt: '2026-12-01T10:00:00.000Z',
                observedBy: 'argocd',
              },
            ],
          },
        },
      },
    ]);
  });

  test('an unknown target is not found', async () => {
    expect(
      await refusal(reportDeployed(ctx, { application: 'core', target: 'nope', version: '1.2.0' })),
    ).toMatchObject({
      kind: 'notFound',
      reason: 'nope is not a target of core (targets: dev-1)',
    });
  });
});

describe('rollback', () => {
  test('to the previous desired version that is not rejected, with the reason annotated', async () => {
    const done = await rollback(ctx, { application: 'core', environment: 'prod', reason: 'errors' });
    // 1.0.5 is rejected: the rollback skips it.
    expect(done).toEqual({
      application: 'core',
      environment: 'prod',
      version: '1.0.0',
      rolledBackFrom: '1.1.0',
      rejected: false,
      fieldManager: 'depot-rollback.prod.alice',
    });
    expect(core().metadata.annotations).toMatchObject({ 'rollback.depot.sh/prod': 'errors' });
  });

  test('--reject also rejects the version rolled back from', async () => {
    await rollback(ctx, { application: 'core', environment: 'prod', reject: true });
    expect(cluster.writes.map((w) => w.fieldManager)).toEqual([
      'depot-rollback.prod.alice',
      'depot-reject.1.1.0.alice',
    ]);
  });

  test('to a rejected version is a conflict; to a malformed one invalid', async () => {
    expect(await refusal(rollback(ctx, { application: 'core', environment: 'prod', to: '1.0.5' }))).toEqual({
      kind: 'conflict',
      reason: '1.0.5 is rejected by unknown: broken: depot unreject it first',
      input: undefined,
    });
    expect(await refusal(rollback(ctx, { application: 'core', environment: 'prod', to: 'x' }))).toEqual({
      kind: 'invalid',
      reason: '"x" is not a semver version, so core can never run it',
      input: { http: 'to', cli: '--to' },
    });
  });
});

describe('release', () => {
  test('without a hold it is a conflict; with holds it releases the newest held version', async () => {
    expect(await refusal(release(ctx, { application: 'core', environment: 'prod' }))).toMatchObject({
      kind: 'conflict',
      reason: 'core has no hold in prod',
    });
    const held = (version: string) => ({ application: 'core', version, by: 'bob', since: at });
    cluster.add(
      Promotions,
      promotion(
        'to-prod',
        { from: 'staging', to: 'prod' },
        { status: { holds: [held('1.1.0')] } },
      ) as KubeObject,
      promotion('hotfix', { from: 'dev', to: 'prod' }, { status: { holds: [held('1.10.0')] } }) as KubeObject,
    );
    const done = await release(ctx, { application: 'core', environment: 'prod' });
    expect(done).toMatchObject({ version: '1.10.0', fieldManager: 'depot-release.prod.alice' });
    expect(core().metadata.annotations).toMatchObject({ 'release.depot.sh/prod': '1.10.0' });
  });
});

describe('reject and unreject', () => {
  test('reject needs a reason and a version of the scheme', async () => {
    expect(await refusal(reject(ctx, { application: 'core', version: '1.3.0', reason: ' ' }))).toEqual({
      kind: 'invalid',
      reason: 'must say why the version is rejected',
      input: { http: 'reason', cli: '--reason' },
    });
    expect(await refusal(reject(ctx, { application: 'core', version: 'nope', reason: 'x' }))).toMatchObject({
      kind: 'invalid',
      input: { http: 'version' },
    });
    await reject(ctx, { application: 'core', version: '1.3.0', reason: 'leaks memory' });
    expect(cluster.writes).toMatchObject([
      {
        patchType: 'apply',
        fieldManager: 'depot-reject.1.3.0.alice',
        body: { spec: { rejectedVersions: [{ version: '1.3.0' }] } },
      },
    ]);
  });

  test('unreject removes the entry, guarded by the resourceVersion; a version not rejected is a conflict', async () => {
    expect(await refusal(unreject(ctx, { application: 'core', version: '1.4.0' }))).toEqual({
      kind: 'conflict',
      reason: '1.4.0 of core is not rejected (rejected: 1.0.5)',
      input: undefined,
    });
    const rv = core().metadata.resourceVersion;
    await unreject(ctx, { application: 'core', version: 'v1.0.5' });
    expect(cluster.writes).toMatchObject([
      {
        patchType: 'merge',
        fieldManager: 'depot-unreject.alice',
        body: { metadata: { resourceVersion: rv } },
      },
    ]);
    expect(core().spec.rejectedVersions).toEqual([]);
    expect(core().metadata.annotations).toMatchObject({ 'unreject.depot.sh/last': '1.0.5' });
  });
});

describe('approve', () => {
  const gated = (results: object[]) =>
    promotion('to-prod', { from: 'staging', to: 'prod', approval: { required: true } }, {
      status: { results },
    } as never) as KubeObject;

  test('approves exactly the version waiting; another version or nothing waiting is a conflict', async () => {
    cluster.add(Promotions, gated([]));
    expect(await refusal(approve(ctx, { promotion: 'to-prod', application: 'core' }))).toMatchObject({
      kind: 'conflict',
      reason: 'no version of core waits for approval in Promotion to-prod',
    });
    cluster.add(
      Promotions,
      gated([
        {
          application: 'core',
          version: '1.2.0',
          outcome: 'Waiting',
          reason: 'ApprovalRequired: 1.2.0 waits',
        },
      ]),
    );
    expect(
      await refusal(approve(ctx, { promotion: 'to-prod', application: 'core', version: '1.1.9' })),
    ).toMatchObject({
      kind: 'conflict',
      reason: 'core 1.1.9 is not waiting for approval in Promotion to-prod (1.2.0 is)',
    });
    const done = await approve(ctx, { promotion: 'to-prod', application: 'core' });
    expect(done).toEqual({
      application: 'core',
      promotion: 'to-prod',
      version: '1.2.0',
      fieldManager: 'depot-approve.core@1.2.0.alice',
      approvers: ['alice'],
      approvalsNeeded: 0,
    });
    // The approver is the authenticated user, in the entry's key: one entry and field manager per approver.
    expect(cluster.writes).toMatchObject([
      {
        patchType: 'apply',
        fieldManager: 'depot-approve.core@1.2.0.alice',
        body: { spec: { approvals: [{ application: 'core', version: '1.2.0', approver: 'alice' }] } },
      },
    ]);
  });

  test('an unknown Promotion is not found', async () => {
    expect(await refusal(approve(ctx, { promotion: 'nope', application: 'core' }))).toMatchObject({
      kind: 'notFound',
      reason: 'promotion "nope" not found in namespace ns',
    });
  });
});
