// The HTTP API's routes (/api/v1/namespaces/{ns}/…): for each, the access it
// needs (as RBAC names it), the schemas of its body and answer, and its
// handler. The server, the OpenAPI description and the docs read this table.
import type { z } from 'zod';
import type { Application } from '../api/application.js';
import {
  ApplicationListSchema,
  ApplicationViewSchema,
  CheckSchema,
  CompatibilitySchema,
  DeployedBodySchema,
  EnvironmentVersionsSchema,
  HistorySchema,
  PromotionListSchema,
  PromotionViewSchema,
  PromoteBodySchema,
  RejectBodySchema,
  RollbackBodySchema,
  SetVersionBodySchema,
  ApprovalBodySchema,
  TargetVersionsSchema,
  WhySchema,
  WriteResultSchema,
  type Check,
  type Compatibility,
  type Why,
} from '../api/http.js';
import type { Promotion } from '../api/promotion.js';
import { Applications, Environments, Promotions, Targets } from '../api/resources.js';
import type { Target } from '../api/target.js';
import {
  applicationView,
  environmentVersions,
  historyView,
  promotionView,
  targetVersions,
} from '../core/api-views.js';
import type { InformerSource } from '../runtime/informer-factory.js';
import {
  checkVersions,
  compatibleVersions,
  parseVersionRef,
  QuestionError,
  type VersionRef,
} from '../core/compatibility/questions.js';
import { reportAccess, type Access } from './access-review.js';
import { badRequest, notFound } from './http-error.js';
import { ActionError } from '../actions/errors.js';
import type { ActionPort } from '../actions/port.js';
import { why } from '../actions/why.js';
import { httpRefusal } from './version-writes.js';
import type { VersionWrites } from './version-writes.js';

export interface QueryParameter {
  description: string;
  repeated?: boolean;
  required?: boolean;
}

export interface RouteRequest {
  namespace: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed, validated body (writes). */
  body: unknown;
  /** The authenticated user (writes need one). */
  user?: string;
}

export interface Route {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Below /api/v1/namespaces/{ns}, with {param}s. */
  path: string;
  summary: string;
  access: (r: { namespace: string; params: Record<string, string> }) => Access;
  /** Reads of other kinds the answer shows (each checked too): no one learns through Depot what RBAC hides. */
  alsoNeeds?: (r: { namespace: string; params: Record<string, string> }) => Access[];
  query?: Record<string, QueryParameter>;
  body?: z.ZodType;
  /** An empty body is allowed (POST promote). */
  bodyOptional?: boolean;
  response: z.ZodType;
  /** Also served as text/plain when asked for. */
  text?: (answer: unknown) => string;
  handle(r: RouteRequest): unknown;
  /** Reads are cached per namespace change and answered with ETags. */
  read: boolean;
  /** A read whose answer depends on the time (time left): computed at each request, never cached. */
  live?: boolean;
}

/** APP@VERSION query values (?with=, ?app=) as version references; 400 naming the field otherwise. */
export function parseVersionRefs(values: string[], field: string, required: boolean): VersionRef[] {
  if (values.length === 0 && required) throw badRequest(`${field}: required, e.g. ${field}=core@1.11.0`);
  return values.map((v) => {
    const ref = parseVersionRef(v);
    if (typeof ref === 'string') throw badRequest(`${field}: ${ref}`);
    return ref;
  });
}

/** A question the compatibility functions refuse: an unknown application or environment is 404, the rest 400 naming `field`. */
function answered<T>(field: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof QuestionError)) throw err;
    if (/^no (Application|application has the environment)/.test(err.message)) throw notFound(err.message);
    throw badRequest(`${field}: ${err.message}`);
  }
}

function positiveInt(query: URLSearchParams, field: string): number | undefined {
  const v = query.get(field);
  if (v === null) return undefined;
  const n = Number(v);
  if (!/^[0-9]+$/.test(v) || n < 1)
    throw badRequest(`${field}: must be a whole number of at least 1, got "${v}"`);
  return n;
}

export function routes(deps: {
  informers: InformerSource;
  writes: VersionWrites;
  /** The time answers are computed at (default: the system clock). */
  now?: () => Date;
}): Route[] {
  const now = deps.now ?? (() => new Date());
  const apps = () => deps.informers.informer<Application & { metadata: { name: string } }>(Applications);
  const app = (ns: string, name: string): Application => {
    const a = apps().get(ns, name);
    if (!a) throw notFound(`application "${name}" not found in namespace ${ns}`);
    return a;
  };
  const promotions = () => deps.informers.informer<Promotion & { metadata: { name: string } }>(Promotions);
  /** A write needs what kubectl needs for the same write: patch on that object. */
  const patch =
    (resource: Access['resource'], name: string) =>
    (r: { namespace: string; params: Record<string, string> }): Access => ({
      verb: 'patch',
      resource,
      namespace: r.namespace,
      name: r.params[name],
    });
  const read =
    (resource: Access['resource'], verb: 'get' | 'list', name?: string) =>
    (r: { namespace: string; params: Record<string, string> }): Access => ({
      verb,
      resource,
      namespace: r.namespace,
      ...(name ? { name: r.params[name] } : {}),
    });

  /** The actions' reads over this replica's caches (the routes' reads write nothing). */
  const cachePort: ActionPort = {
    get: async (resource, ns, name) => deps.informers.informer(resource).get(ns, name),
    list: async (resource, ns) => deps.informers.informer(resource).list(ns),
    apply: () => Promise.reject(new Error('a read route does not write')),
    patch: () => Promise.reject(new Error('a read route does not write')),
  };

  return [
    {
      method: 'GET',
      path: '/applications',
      summary: 'The applications with their versions per environment and target.',
      access: read('applications', 'list'),
      response: ApplicationListSchema,
      read: true,
      handle: ({ namespace }) => ({
        namespace,
        items: apps()
          .list(namespace)
          .map(applicationView)
          .sort((a, b) => a.name.localeCompare(b.name)),
      }),
    },
    {
      method: 'GET',
      path: '/applications/{app}',
      summary: 'One application with its versions per environment and target.',
      access: read('applications', 'get', 'app'),
      response: ApplicationViewSchema,
      read: true,
      handle: ({ namespace, params }) => applicationView(app(namespace, params.app!)),
    },
    {
      method: 'GET',
      path: '/applications/{app}/history',
      summary: "The application's version changes, newest first.",
      access: read('applications', 'get', 'app'),
      query: {
        limit: { description: 'At most this many entries.' },
        environment: { description: 'Only the changes of this environment.' },
      },
      response: HistorySchema,
      read: true,
      handle: ({ namespace, params, query }) =>
        historyView(app(namespace, params.app!), {
          limit: positiveInt(query, 'limit'),
          environment: query.get('environment') ?? undefined,
        }),
    },
    {
      method: 'GET',
      path: '/applications/{app}/environments/{env}/why',
      summary:
        'Whether a version is in the environment (desired, deployed on every target) and every reason it is not, from the planner; `lines` is what `depot why` prints (text/plain: those lines).',
      access: read('applications', 'get', 'app'),
      // The answer shows Promotions (approvers, gate answers) and Environments (freeze windows).
      alsoNeeds: (r) => [read('promotions', 'list')(r), read('environments', 'list')(r)],
      query: { version: { description: 'The version asked about (default: the newest known).' } },
      response: WhySchema,
      text: (answer) => (answer as Why).lines.map((l) => `${l}\n`).join(''),
      read: true,
      live: true,
      handle: async ({ namespace, params, query }) => {
        try {
          return await why(
            { port: cachePort, namespace, user: '', now },
            {
              application: params.app!,
              environment: params.env!,
              ...(query.get('version') !== null ? { version: query.get('version')! } : {}),
            },
          );
        } catch (err) {
          throw err instanceof ActionError ? httpRefusal(err) : err;
        }
      },
    },
    {
      method: 'GET',
      path: '/environments/{env}/versions',
      summary: "Every application's requested and desired version in one environment.",
      access: read('applications', 'list'),
      response: EnvironmentVersionsSchema,
      read: true,
      handle: ({ namespace, params }) => {
        const env = params.env!;
        if (!deps.informers.informer(Environments).get(namespace, env))
          throw notFound(`environment "${env}" not found in namespace ${namespace}`);
        return environmentVersions(namespace, env, apps().list(namespace));
      },
    },
    {
      method: 'GET',
      path: '/targets/{target}/versions',
      summary: "Every application's version on one target (what an agent polls, with If-None-Match).",
      access: read('applications', 'list'),
      response: TargetVersionsSchema,
      read: true,
      handle: ({ namespace, params }) => {
        const target = deps.informers
          .informer<Target & { metadata: { name: string } }>(Targets)
          .get(namespace, params.target!);
        if (!target) throw notFound(`target "${params.target}" not found in namespace ${namespace}`);
        return targetVersions(target, apps().list(namespace));
      },
    },
    {
      method: 'PUT',
      path: '/applications/{app}/environments/{env}/version',
      summary: 'Request a version of the application in an environment (what CI does after a build).',
      access: (r) => ({
        verb: 'patch',
        resource: 'applications',
        namespace: r.namespace,
        name: r.params.app,
      }),
      body: SetVersionBodySchema,
      response: WriteResultSchema,
      read: false,
      handle: (r) =>
        deps.writes.setVersion(r.namespace, r.params.app!, r.params.env!, r.body as never, r.user!),
    },
    {
      method: 'PUT',
      path: '/applications/{app}/targets/{target}/deployed',
      summary:
        'Report the version a target runs (status.targets[].deployed); needs `update targets/report` on that Target.',
      // For that Target by name, not the application's status: an agent reports only its own Target.
      access: (r) => reportAccess(r.namespace, r.params.target!),
      body: DeployedBodySchema,
      response: WriteResultSchema,
      read: false,
      handle: (r) =>
        deps.writes.reportDeployed(r.namespace, r.params.app!, r.params.target!, r.body as never, r.user!),
    },
    {
      method: 'POST',
      path: '/applications/{app}/environments/{env}/promote',
      summary: "Promote the source environment's desired version into the environment.",
      access: (r) => ({
        verb: 'patch',
        resource: 'applications',
        namespace: r.namespace,
        name: r.params.app,
      }),
      body: PromoteBodySchema,
      bodyOptional: true,
      response: WriteResultSchema,
      read: false,
      handle: (r) =>
        deps.writes.promote(r.namespace, r.params.app!, r.params.env!, (r.body ?? {}) as never, r.user!),
    },
    {
      method: 'POST',
      path: '/applications/{app}/environments/{env}/rollback',
      summary:
        'Set the environment back to the previous desired version (or `to`); Promotions into it hold until a newer version is eligible.',
      access: patch('applications', 'app'),
      body: RollbackBodySchema,
      bodyOptional: true,
      response: WriteResultSchema,
      read: false,
      handle: (r) =>
        deps.writes.rollback(r.namespace, r.params.app!, r.params.env!, (r.body ?? {}) as never, r.user!),
    },
    {
      method: 'POST',
      path: '/applications/{app}/environments/{env}/release',
      summary: 'End the hold that a rollback in the environment put on the Promotions into it.',
      access: patch('applications', 'app'),
      response: WriteResultSchema,
      read: false,
      handle: (r) => deps.writes.release(r.namespace, r.params.app!, r.params.env!, r.user!),
    },
    {
      method: 'POST',
      path: '/applications/{app}/rejections',
      summary: 'Reject a version: never promoted, new requests blocked unless forced.',
      access: patch('applications', 'app'),
      body: RejectBodySchema,
      response: WriteResultSchema,
      read: false,
      handle: (r) => deps.writes.reject(r.namespace, r.params.app!, r.body as never, r.user!),
    },
    {
      method: 'DELETE',
      path: '/applications/{app}/rejections/{version}',
      summary: 'Remove the rejection of a version.',
      access: patch('applications', 'app'),
      response: WriteResultSchema,
      read: false,
      handle: (r) => deps.writes.unreject(r.namespace, r.params.app!, r.params.version!, r.user!),
    },
    {
      method: 'GET',
      path: '/promotions',
      summary: 'The Promotions with their gates and the outcome of their last run, gate answers included.',
      access: read('promotions', 'list'),
      response: PromotionListSchema,
      read: true,
      handle: ({ namespace }) => ({
        namespace,
        items: promotions()
          .list(namespace)
          .map(promotionView)
          .sort((a, b) => a.name.localeCompare(b.name)),
      }),
    },
    {
      method: 'GET',
      path: '/promotions/{promotion}',
      summary:
        "One Promotion: its gates, each application's outcome of the last run and its gates' last answers (results[].gates).",
      access: read('promotions', 'get', 'promotion'),
      response: PromotionViewSchema,
      read: true,
      handle: ({ namespace, params }) => {
        const p = promotions().get(namespace, params.promotion!);
        if (!p) throw notFound(`promotion "${params.promotion}" not found in namespace ${namespace}`);
        return promotionView(p);
      },
    },
    {
      method: 'POST',
      path: '/promotions/{promotion}/approvals',
      summary:
        'Approve the version of an application waiting in an approval-gated Promotion (that exact version).',
      access: patch('promotions', 'promotion'),
      body: ApprovalBodySchema,
      response: WriteResultSchema,
      read: false,
      handle: (r) => deps.writes.approve(r.namespace, r.params.promotion!, r.body as never, r.user!),
    },
    {
      method: 'GET',
      path: '/compatibility/{app}',
      summary:
        'Known versions of the application that work with the given ones, and with what an environment runs (text/plain: one version per line, newest first).',
      access: read('applications', 'list'),
      query: {
        with: { description: 'APP@VERSION, e.g. core@1.11.0; repeat it.', repeated: true },
        environment: { description: 'Also hold against what this environment runs.' },
      },
      response: CompatibilitySchema,
      text: (answer) => (answer as Compatibility).versions.map((v) => `${v}\n`).join(''),
      read: true,
      handle: ({ namespace, params, query }): Compatibility => {
        const environment = query.get('environment') ?? undefined;
        const given = parseVersionRefs(query.getAll('with'), 'with', environment === undefined);
        const a = answered('with', () =>
          compatibleVersions({ applications: apps().list(namespace), environment }, params.app!, given),
        );
        return { ...a, versions: a.versions.map((k) => k.version) };
      },
    },
    {
      method: 'GET',
      path: '/check',
      summary: 'Whether the given versions work together: SUCCESS, or CONFLICT with the reasons (seed 002).',
      access: read('applications', 'list'),
      query: {
        app: { description: 'APP@VERSION, e.g. core@1.11.0; repeat it.', repeated: true, required: true },
        environment: { description: 'Also hold against what this environment runs.' },
      },
      response: CheckSchema,
      text: (answer) => {
        const c = answer as Check;
        return [c.result, ...c.reasons].map((l) => `${l}\n`).join('');
      },
      read: true,
      handle: ({ namespace, query }): Check => {
        const environment = query.get('environment') ?? undefined;
        const given = parseVersionRefs(query.getAll('app'), 'app', true);
        const a = answered('app', () =>
          checkVersions({ applications: apps().list(namespace), environment }, given),
        );
        return {
          result: a.result,
          packages: a.packages,
          environment: a.environment,
          reasons: a.conflicts.map((c) => c.message),
          unchecked: a.unchecked,
        };
      },
    },
  ];
}
