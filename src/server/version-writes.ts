// The HTTP API's writes, made for the authenticated user with the CLI's
// server-side apply and field managers (core/version-writes.ts): set a
// requested version, report a deployed version, promote. Every check runs
// before the write, so a refusal writes nothing; the write is guarded by
// resourceVersion and planned again on a fresh read after a 409.
import type { Application } from '../api/application.js';
import type { EnvironmentSet } from '../api/environment-set.js';
import type { Environment } from '../api/environment.js';
import type { DeployedBody, PromoteBody, SetVersionBody, WriteResult } from '../api/http.js';
import type { Promotion } from '../api/promotion.js';
import { Applications, EnvironmentSets, Environments, Promotions } from '../api/resources.js';
import { semverVersion } from '../api/semver.js';
import { resolveEnvironments } from '../core/application/resolution.js';
import { planManualPromotion } from '../core/manual-promotion.js';
import { deployedReport, versionRequest, type VersionWriter } from '../core/version-writes.js';
import { apiErrorMessage, isConflict, isInvalid, statusCodeOf } from '../kube/errors.js';
import type { KubeObject } from '../kube/resource.js';
import type { ControllerDeps } from '../runtime/controller-deps.js';
import { HttpError, badRequest, notFound } from './http-error.js';

type Deps = Pick<ControllerDeps, 'informers' | 'client' | 'writer' | 'clock'>;
const conflictAttempts = 5;
const semverRe = new RegExp(semverVersion.pattern);

const byName = <T extends KubeObject>(items: T[]) =>
  new Map(items.map((i) => [i.metadata!.name!, i as unknown as never]));

export class VersionWrites {
  constructor(private readonly deps: Deps) {}

  async setVersion(
    ns: string,
    name: string,
    env: string,
    body: SetVersionBody,
    user: string,
  ): Promise<WriteResult> {
    const writer: VersionWriter = { kind: 'set-version', user };
    return this.withConflictRetry(ns, name, async (app) => {
      this.checkEnvironment(app, env);
      this.checkVersion(app, body.version, 'version');
      return this.applyVersion(app, env, body.version, writer, body.force);
    });
  }

  async promote(
    ns: string,
    name: string,
    env: string,
    body: PromoteBody,
    user: string,
  ): Promise<WriteResult> {
    return this.withConflictRetry(ns, name, async (app) => {
      this.checkEnvironment(app, env);
      if (body.from !== undefined && body.from !== env) this.checkEnvironment(app, body.from, 'from');
      const plan = planManualPromotion({
        app,
        to: env,
        from: body.from,
        promotions: this.list<Promotion>(Promotions, ns),
        sets: byName(this.list<EnvironmentSet>(EnvironmentSets, ns)),
        environments: byName(this.list<Environment>(Environments, ns)),
      });
      if (!plan.ok) throw new HttpError(409, 'Conflict', plan.message);
      const result = await this.applyVersion(app, env, plan.version, { kind: 'promote', user }, body.force);
      return { ...result, from: plan.from };
    });
  }

  async reportDeployed(
    ns: string,
    name: string,
    target: string,
    body: DeployedBody,
    user: string,
  ): Promise<WriteResult> {
    return this.withConflictRetry(ns, name, async (app) => {
      this.checkVersion(app, body.version, 'version');
      const report = deployedReport(app, target, body.version, user, new Date(this.deps.clock.now()));
      if (!report.ok) throw notFound(report.message);
      await this.write(app, () =>
        this.deps.client.patch(Applications, ns, name, report.patch, {
          type: 'merge',
          fieldManager: report.fieldManager,
          subresource: 'status',
        }),
      );
      return { application: name, target, version: body.version, fieldManager: report.fieldManager };
    });
  }

  private async applyVersion(
    app: Application,
    env: string,
    version: string,
    writer: VersionWriter,
    force: boolean | undefined,
  ): Promise<WriteResult> {
    const write = versionRequest({
      application: app.metadata.name,
      namespace: app.metadata.namespace!,
      env,
      version,
      writer,
      force,
      resourceVersion: app.metadata.resourceVersion,
    });
    // Writes made for a user are not fenced by leadership: any replica answers.
    const objects = this.deps.writer(write.fieldManager, { fenced: false });
    await this.write(app, () => objects.apply(Applications, write.body as KubeObject, { force: true }));
    return { application: app.metadata.name, environment: env, version, fieldManager: write.fieldManager };
  }

  /** The environment must be one of the application's (from its spec and sets, or its status). */
  private checkEnvironment(app: Application, env: string, field?: string): void {
    const ns = app.metadata.namespace!;
    const { names } = resolveEnvironments(
      app,
      byName(this.list<EnvironmentSet>(EnvironmentSets, ns)),
      byName(this.list<Environment>(Environments, ns)),
    );
    for (const e of app.status?.environments ?? []) if (!names.includes(e.name)) names.push(e.name);
    if (names.includes(env)) return;
    const message = `${env} is not an environment of ${app.metadata.name} (${names.join(', ') || 'none'})`;
    throw field ? badRequest(`${field}: ${message}`) : notFound(message);
  }

  private checkVersion(app: Application, version: string, field: string): void {
    if ((app.spec.versionScheme ?? 'semver') === 'semver' && !semverRe.test(version))
      throw badRequest(`${field}: ${semverVersion.message} (${app.metadata.name} has versionScheme semver)`);
  }

  private list<T extends KubeObject>(resource: typeof Applications, ns: string): T[] {
    return this.deps.informers.informer<T>(resource).list(ns);
  }

  /** Plans from the cached application, then from fresh reads while writes conflict. */
  private async withConflictRetry<T>(
    ns: string,
    name: string,
    fn: (app: Application) => Promise<T>,
  ): Promise<T> {
    let app = this.deps.informers.informer(Applications).get(ns, name) as unknown as Application | undefined;
    for (let attempt = 1; ; attempt++) {
      if (!app) throw notFound(`application "${name}" not found in namespace ${ns}`);
      try {
        return await fn(app);
      } catch (err) {
        if (!isConflict(err) || attempt >= conflictAttempts) throw err;
        app = (await this.deps.client.get(Applications, ns, name)) as unknown as Application | undefined;
      }
    }
  }

  /** Runs a write: 409 goes back to the retry; the API server's refusals become HTTP errors. */
  private async write<T>(app: Application, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isConflict(err)) throw err;
      const cause = (err as { cause?: unknown }).cause ?? err;
      const what = `application "${app.metadata.name}"`;
      if (isInvalid(cause) || isInvalid(err))
        throw new HttpError(
          422,
          'Invalid',
          `the API server refused the write of ${what}: ${apiErrorMessage(cause)}`,
        );
      if (statusCodeOf(cause) === 404)
        throw notFound(`${what} not found in namespace ${app.metadata.namespace}`);
      throw new HttpError(502, 'ApiServerError', `the write of ${what} failed: ${apiErrorMessage(cause)}`);
    }
  }
}
