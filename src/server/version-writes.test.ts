// The HTTP API's writes are the actions over this replica's caches: an
// action's refusal becomes the status of its kind with the body field named,
// the API server's refusal 422, and the release-control endpoints are in the
// OpenAPI description with the RBAC they need.
import { Applications, EnvironmentSets, Environments, Promotions } from '../api/resources.js';
import { ActionError } from '../actions/errors.js';
import { app, env, promotion, set } from '../core/testing/builders.js';
import { KubeApiError } from '../kube/errors.js';
import type { KubeObject } from '../kube/resource.js';
import { MemoryCluster } from '../runtime/testing/memory-cluster.js';
import { memoryDeps } from '../runtime/testing/memory-deps.js';
import { HttpError } from './http-error.js';
import { openApiDocument } from './openapi.js';
import { routes } from './routes.js';
import { httpRefusal, VersionWrites } from './version-writes.js';

function world(): MemoryCluster {
  const cluster = new MemoryCluster();
  cluster.add(Environments, env('dev'), env('prod'));
  cluster.add(EnvironmentSets, set('default', ['dev', 'prod']));
  cluster.add(
    Applications,
    app(
      'core',
      { versions: { dev: '1.0.0', prod: '1.0.0' } },
      {
        status: {
          environments: [
            { name: 'dev', desired: '1.1.0' },
            { name: 'prod', desired: '1.1.0' },
          ],
          history: [
            {
              time: '2026-12-01T10:00:00Z',
              type: 'Requested',
              environment: 'prod',
              from: '1.0.0',
              to: '1.1.0',
            },
          ],
        },
      },
    ) as KubeObject,
  );
  cluster.add(Promotions, promotion('to-prod', { from: 'dev', to: 'prod' }) as KubeObject);
  return cluster;
}

const refused = async (run: Promise<unknown>) => {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HttpError);
  const { status, error, message } = err as HttpError;
  return { status, error, message };
};

test('each kind of refusal has its status; the body field is named', () => {
  expect(
    httpRefusal(new ActionError('invalid', 'must say why', { http: 'reason', cli: '--reason' })),
  ).toMatchObject({
    status: 400,
    error: 'BadRequest',
    message: 'reason: must say why',
  });
  expect(httpRefusal(new ActionError('notFound', 'no such thing'))).toMatchObject({
    status: 404,
    error: 'NotFound',
  });
  expect(httpRefusal(new ActionError('conflict', 'changed'))).toMatchObject({
    status: 409,
    error: 'Conflict',
  });
  expect(httpRefusal(new ActionError('forbidden', 'no'))).toMatchObject({ status: 403, error: 'Forbidden' });
});

test('release-control writes: done for the user, refused with 4xx and nothing written', async () => {
  const cluster = world();
  const writes = new VersionWrites(memoryDeps(cluster));
  expect(await writes.rollback('ns', 'core', 'prod', { reason: 'errors' }, 'alice')).toEqual({
    application: 'core',
    environment: 'prod',
    version: '1.0.0',
    rolledBackFrom: '1.1.0',
    rejected: false,
    fieldManager: 'depot-rollback.prod.alice',
  });
  const written = cluster.writes.length;
  expect(await refused(writes.release('ns', 'core', 'prod', 'alice'))).toEqual({
    status: 409,
    error: 'Conflict',
    message: 'core has no hold in prod',
  });
  expect(await refused(writes.reject('ns', 'core', { version: '1.1.0', reason: '' }, 'alice'))).toEqual({
    status: 400,
    error: 'BadRequest',
    message: 'reason: must say why the version is rejected',
  });
  expect(await refused(writes.unreject('ns', 'core', '1.1.0', 'alice'))).toMatchObject({ status: 409 });
  expect(await refused(writes.approve('ns', 'to-prod', { application: 'core' }, 'alice'))).toEqual({
    status: 409,
    error: 'Conflict',
    message: 'Promotion to-prod has no approval gate (spec.approval.required is not true)',
  });
  expect(await refused(writes.approve('ns', 'nope', { application: 'core' }, 'alice'))).toMatchObject({
    status: 404,
  });
  expect(cluster.writes.length).toBe(written);
});

test("the API server's refusal of a write is 422 with its message", async () => {
  const cluster = world();
  cluster.api.patch = async () => {
    throw new KubeApiError(
      422,
      'Application.depot.sh "core" is invalid: spec.rejectedVersions: Too many',
      'Invalid',
    );
  };
  expect(
    await refused(
      new VersionWrites(memoryDeps(cluster)).reject('ns', 'core', { version: '1.1.0', reason: 'x' }, 'a'),
    ),
  ).toEqual({
    status: 422,
    error: 'Invalid',
    message:
      'the API server refused the write of application "core": Application.depot.sh "core" is invalid: spec.rejectedVersions: Too many',
  });
});

test('the OpenAPI description has the release-control endpoints with the RBAC they need', () => {
  const cluster = world();
  const deps = memoryDeps(cluster);
  const doc = openApiDocument(routes({ informers: deps.informers, writes: new VersionWrites(deps) })) as {
    paths: Record<string, Record<string, { description: string; requestBody?: { required: boolean } }>>;
  };
  const at = (path: string) => doc.paths[`/api/v1/namespaces/{ns}${path}`]!;
  expect(at('/applications/{app}/environments/{env}/rollback').post).toMatchObject({
    description: 'Needs RBAC: patch applications.depot.sh in the namespace.',
    requestBody: { required: false },
  });
  expect(at('/applications/{app}/environments/{env}/release').post!.requestBody).toBeUndefined();
  expect(at('/applications/{app}/rejections').post!.requestBody).toMatchObject({ required: true });
  expect(at('/applications/{app}/rejections/{version}').delete!.description).toBe(
    'Needs RBAC: patch applications.depot.sh in the namespace.',
  );
  expect(at('/promotions/{promotion}/approvals').post!.description).toBe(
    'Needs RBAC: patch promotions.depot.sh in the namespace.',
  );
});
