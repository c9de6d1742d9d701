// The HTTP API's writes: the actions (src/actions), the same the CLI runs,
// made for the authenticated user over this replica's informer caches (the
// first read from the cache, a fresh read after 409 Conflict). An action's
// refusal becomes 4xx JSON naming the body field; the API server's refusal
// of a write becomes 422 with its message. Nothing is written on a refusal.
import type { ActionContext, ActionPort } from '../actions/port.js';
import { ActionError, type RefusalKind } from '../actions/errors.js';
import { approve, reject, release, rollback, unreject } from '../actions/release-control.js';
import { promote, reportDeployed, setVersion } from '../actions/versions.js';
import type {
  ApprovalBody,
  DeployedBody,
  PromoteBody,
  RejectBody,
  RollbackBody,
  SetVersionBody,
  WriteResult,
} from '../api/http.js';
import { apiErrorMessage, isConflict, isInvalid, statusCodeOf } from '../kube/errors.js';
import type { KubeObject, ResourceType } from '../kube/resource.js';
import type { RuntimeDeps } from '../runtime/runtime-deps.js';
import { HttpError } from './http-error.js';

type Deps = Pick<RuntimeDeps, 'informers' | 'client' | 'writer' | 'clock'>;

const refusals: Record<RefusalKind, { status: number; error: string }> = {
  notFound: { status: 404, error: 'NotFound' },
  invalid: { status: 400, error: 'BadRequest' },
  conflict: { status: 409, error: 'Conflict' },
  forbidden: { status: 403, error: 'Forbidden' },
};

/** An action's refusal as the HTTP API answers it: the status of its kind, the body field it names. */
export function httpRefusal(err: ActionError): HttpError {
  const { status, error } = refusals[err.kind];
  return new HttpError(status, error, err.input ? `${err.input.http}: ${err.reason}` : err.reason);
}

export class VersionWrites {
  private readonly port: ActionPort;

  constructor(
    private readonly deps: Deps,
    /** Depot's admission policies are installed: stamp writes with the authenticated user. */
    private readonly opts: { verifiedActors?: boolean } = {},
  ) {
    this.port = {
      get: async (resource, ns, name, opts) =>
        opts?.fresh
          ? await this.request('read', resource, name, ns, () => this.deps.client.get(resource, ns, name))
          : this.deps.informers.informer(resource).get(ns, name),
      list: async (resource, ns) => this.deps.informers.informer(resource).list(ns),
      // Writes made for a user are not fenced by leadership: any replica answers.
      apply: async (resource, ns, name, body, fieldManager) => {
        const objects = this.deps.writer(fieldManager, { fenced: false });
        await this.request('write', resource, name, ns, () =>
          objects.apply(resource, body as KubeObject, { force: true }),
        );
      },
      patch: async (resource, ns, name, body, opts) => {
        await this.request('write', resource, name, ns, () =>
          this.deps.client.patch(resource, ns, name, body, opts),
        );
      },
    };
  }

  setVersion(ns: string, app: string, env: string, body: SetVersionBody, user: string): Promise<WriteResult> {
    return this.run(ns, user, (ctx) =>
      setVersion(ctx, { application: app, environment: env, version: body.version, force: body.force }),
    );
  }

  promote(ns: string, app: string, env: string, body: PromoteBody, user: string): Promise<WriteResult> {
    return this.run(ns, user, async (ctx) => {
      const done = await promote(ctx, {
        application: app,
        environment: env,
        from: body.from,
        force: body.force,
      });
      // `via` (how the source was chosen) is for people; the answer names the source.
      return { ...done, via: undefined };
    });
  }

  reportDeployed(
    ns: string,
    app: string,
    target: string,
    body: DeployedBody,
    user: string,
  ): Promise<WriteResult> {
    return this.run(ns, user, (ctx) =>
      reportDeployed(ctx, { application: app, target, version: body.version }),
    );
  }

  rollback(ns: string, app: string, env: string, body: RollbackBody, user: string): Promise<WriteResult> {
    return this.run(ns, user, (ctx) => rollback(ctx, { application: app, environment: env, ...body }));
  }

  release(ns: string, app: string, env: string, user: string): Promise<WriteResult> {
    return this.run(ns, user, (ctx) => release(ctx, { application: app, environment: env }));
  }

  reject(ns: string, app: string, body: RejectBody, user: string): Promise<WriteResult> {
    return this.run(ns, user, (ctx) => reject(ctx, { application: app, ...body }));
  }

  unreject(ns: string, app: string, version: string, user: string): Promise<WriteResult> {
    return this.run(ns, user, (ctx) => unreject(ctx, { application: app, version }));
  }

  approve(ns: string, promotion: string, body: ApprovalBody, user: string): Promise<WriteResult> {
    return this.run(ns, user, (ctx) => approve(ctx, { promotion, ...body }));
  }

  private async run<T>(
    namespace: string,
    user: string,
    action: (ctx: ActionContext) => Promise<T>,
  ): Promise<T> {
    const ctx: ActionContext = {
      port: this.port,
      namespace,
      user,
      stamp: this.opts.verifiedActors ?? false,
      now: () => new Date(this.deps.clock.now()),
    };
    try {
      return await action(ctx);
    } catch (err) {
      throw err instanceof ActionError ? httpRefusal(err) : err;
    }
  }

  /** Runs a request: 409 goes back to the action's retry; the API server's refusals become HTTP errors. */
  private async request<T>(
    what: 'read' | 'write',
    resource: ResourceType,
    name: string,
    ns: string,
    fn: () => Promise<T>,
  ): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isConflict(err)) throw err;
      const cause = (err as { cause?: unknown }).cause ?? err;
      const what = `${resource.kind.toLowerCase()} "${name}"`;
      if (isInvalid(cause) || isInvalid(err))
        throw new HttpError(
          422,
          'Invalid',
          `the API server refused the write of ${what}: ${apiErrorMessage(cause)}`,
        );
      if (statusCodeOf(cause) === 404)
        throw new HttpError(404, 'NotFound', `${what} not found in namespace ${ns}`);
      throw new HttpError(502, 'ApiServerError', `the write of ${what} failed: ${apiErrorMessage(cause)}`);
    }
  }
}
