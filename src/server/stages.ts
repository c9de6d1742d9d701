// The HTTP API's request stages, run in order by ApiServer: match (404/405) → authenticate
// (TokenReview; 401, 429) → served (namespace watched, caches synced; 404/503) → authorize
// (SubjectAccessReview; 403) → agent contact → body (JSON, capped, schema; 4xx) → handle.
// A stage adds to the exchange or answers it; a refusal is an HttpError (JSON error body).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BlockList } from 'node:net';
import { API_PREFIX, CLIENT_VERSION_HEADER } from '../api/http.js';
import { Applications, EnvironmentSets, Environments, Promotions, Targets } from '../api/resources.js';
import type { Logger } from '../runtime/log.js';
import type { RuntimeDeps } from '../runtime/runtime-deps.js';
import { reportAccess, tokenHash, type AccessReviewer, type UserInfo } from './access-review.js';
import type { AgentContacts } from './agent-contacts.js';
import { clientAddress } from './client-address.js';
import { HttpError, invalidInput, notFound } from './http-error.js';
import { readJsonBody } from './request-body.js';
import { ifNoneMatch, representation, type RepresentationCache } from './representations.js';
import type { RequestOrigin } from './review-admission.js';
import type { Route } from './routes.js';
import { audienceRefusal } from './token-audiences.js';

/** One request as it passes the stages. */
export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  /** The metrics label: `unknown` until matched, then the route's path. */
  routeLabel: string;
  /** Set by the match stage. */
  match?: Match;
  /** The authenticated user; undefined for an anonymous read. */
  user?: UserInfo;
  /** The client's address and token hash, for the review limits (requests with a token). */
  origin?: RequestOrigin;
  /** The parsed, validated body (routes with a body schema). */
  body?: unknown;
}

export interface Match {
  url: URL;
  route: Route;
  namespace: string;
  params: Record<string, string>;
}

/** An answer: the status, and a body unless 304 or empty. */
export interface Reply {
  status: number;
  body?: Buffer;
  type?: string;
}

export type Stage = (x: Exchange) => Reply | undefined | Promise<Reply | undefined>;

/** The resources whose caches answer the API's reads. */
export const SERVED_RESOURCES = [Applications, Environments, Targets, EnvironmentSets, Promotions];

const NAMESPACED = new RegExp(`^${API_PREFIX}/namespaces/([^/]+)(/.*)$`);

/** Endpoints outside the namespaced routes (/api/v1/version, /api/v1/openapi.json), answered at once to GET. */
export interface FixedEndpoint {
  path: string;
  label: string;
  body: () => Buffer;
}

/** Finds the route of a request (or answers a fixed endpoint): 404 for an unknown path, 405 for another method. */
export function matchStage(table: readonly Route[], fixed: readonly FixedEndpoint[]): Stage {
  const compiled = table.map((route) => {
    const names: string[] = [];
    const pattern = route.path.replace(/\{([^}]+)\}/g, (_, n: string) => {
      names.push(n);
      return '([^/]+)';
    });
    return { route, re: new RegExp(`^${pattern}$`), names };
  });
  return (x) => {
    const url = new URL(x.req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const endpoint = x.method === 'GET' ? fixed.find((f) => f.path === path) : undefined;
    if (endpoint) {
      x.routeLabel = endpoint.label;
      return { status: 200, body: endpoint.body() };
    }
    const m = NAMESPACED.exec(path);
    if (!m) throw notFound(`no such path ${path}: see ${API_PREFIX}/openapi.json`);
    const namespace = decode(m[1]!);
    const allowed = new Set<string>();
    for (const c of compiled) {
      const pm = c.re.exec(m[2]!);
      if (!pm) continue;
      if (c.route.method !== x.method) {
        allowed.add(c.route.method);
        continue;
      }
      const params = Object.fromEntries(c.names.map((n, i) => [n, decode(pm[i + 1]!)]));
      checkQuery(c.route, url.searchParams);
      x.match = { url, route: c.route, namespace, params };
      x.routeLabel = c.route.path;
      return undefined;
    }
    if (allowed.size > 0)
      throw new HttpError(
        405,
        'MethodNotAllowed',
        `${x.method} is not allowed on ${path} (allowed: ${[...allowed].join(', ')})`,
      );
    throw notFound(`no such path ${path}: see ${API_PREFIX}/openapi.json`);
  };
}

/**
 * Who sends the request, from `Authorization: Bearer <token>` (TokenReview); reads may be
 * anonymous when allowed. `trustedProxies`: peers whose X-Forwarded-For names the client.
 */
export function authenticateStage(
  reviewer: AccessReviewer,
  anonymousReads: boolean,
  trustedProxies?: BlockList,
  localUser?: UserInfo,
): Stage {
  return async (x) => {
    const { route } = matched(x);
    const auth = { reviewer, anonymousReads, trustedProxies, localUser };
    Object.assign(x, await authenticateRequest(x.req, route.read, auth));
    return undefined;
  };
}

export interface Authentication {
  reviewer: AccessReviewer;
  anonymousReads: boolean;
  trustedProxies?: BlockList;
  /** `depot dashboard`: every request is this user (the kubeconfig's), no token is read. */
  localUser?: UserInfo;
}

/** The user of a request (undefined: an anonymous read), or 401/429; the HTTP API's token rules. */
export async function authenticateRequest(
  req: IncomingMessage,
  read: boolean,
  auth: Authentication,
): Promise<{ user?: UserInfo; origin?: RequestOrigin }> {
  if (auth.localUser) return { user: auth.localUser };
  const header = req.headers.authorization;
  if (!header) {
    if (read && auth.anonymousReads) return {};
    throw new HttpError(
      401,
      'Unauthorized',
      read
        ? 'Authorization: Bearer <token> is required (anonymous reads are off)'
        : 'Authorization: Bearer <token> is required for writes',
    );
  }
  const m = /^Bearer +(\S+)\s*$/i.exec(header);
  if (!m) throw new HttpError(401, 'Unauthorized', 'the Authorization header must be "Bearer <token>"');
  const token = m[1]!;
  const origin: RequestOrigin = {
    address: clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], auth.trustedProxies),
    tokenHash: tokenHash(token),
  };
  const user = await auth.reviewer.authenticate(token, origin);
  if (!user)
    throw new HttpError(
      401,
      'Unauthorized',
      auth.reviewer.audiences
        ? audienceRefusal(auth.reviewer.audiences)
        : 'the bearer token was not accepted by the Kubernetes API server',
    );
  return { user, origin };
}

/** The bearer token of a request, when it has one (to check it again on a long stream). */
export function bearerToken(req: IncomingMessage): string | undefined {
  return /^Bearer +(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
}

/** The namespace is watched by this operator and its caches are complete (never a partial answer). */
export function servedStage(deps: Pick<RuntimeDeps, 'namespaces' | 'informers'>): Stage {
  return (x) => {
    checkServed(deps, matched(x).namespace);
    return undefined;
  };
}

/** 404 for a namespace this operator does not watch, 503 until its caches are synced. */
export function checkServed(deps: Pick<RuntimeDeps, 'namespaces' | 'informers'>, namespace: string): void {
  if (deps.namespaces && !deps.namespaces.includes(namespace))
    throw notFound(
      `namespace ${namespace} is not served by this Depot operator (it watches ${deps.namespaces.join(', ')})`,
    );
  for (const resource of SERVED_RESOURCES) {
    if (!deps.informers.informer(resource).hasSynced())
      throw new HttpError(503, 'Unavailable', 'the caches of this replica are not synced yet; retry shortly');
  }
}

/** What the route does, as RBAC names it, asked of the API server for the user (SubjectAccessReview). */
export function authorizeStage(reviewer: AccessReviewer): Stage {
  return async (x) => {
    const { route, namespace, params } = matched(x);
    const user = x.user;
    if (!user) return undefined; // an anonymous read, allowed by the authenticate stage
    for (const access of [
      route.access({ namespace, params }),
      ...(route.alsoNeeds?.({ namespace, params }) ?? []),
    ]) {
      const decision = await reviewer.authorize(user, access, x.origin);
      if (decision.allowed) continue;
      const what = `${access.resource}${access.subresource ? `/${access.subresource}` : ''}.depot.sh${access.name ? ` "${access.name}"` : ''}`;
      throw new HttpError(
        403,
        'Forbidden',
        `user "${user.username}" may not ${access.verb} ${what} in namespace ${namespace}${decision.reason ? `: ${decision.reason}` : ''}`,
      );
    }
    return undefined;
  };
}

/**
 * An agent's poll (`depot-client-version` on a Target's versions) is recorded on the Target,
 * only for a user who may report for that Target (`update targets/report`): a viewer's polls
 * write nothing. Checked and written in the background; the poll's answer never waits.
 */
export function agentContactStage(reviewer: AccessReviewer, contacts: AgentContacts, log: Logger): Stage {
  return (x) => {
    const { route, namespace, params } = matched(x);
    const version = x.req.headers[CLIENT_VERSION_HEADER];
    const user = x.user;
    if (route.path !== '/targets/{target}/versions' || !user || typeof version !== 'string') return undefined;
    const target = params.target!;
    reviewer
      .authorize(user, reportAccess(namespace, target), x.origin)
      .then((decision) => {
        if (decision.allowed) contacts.record(namespace, target, version, user.username);
      })
      .catch((err: unknown) =>
        log.debug(
          { err: (err as Error).message, target: `${namespace}/${target}` },
          'HTTP API: agent contact not recorded',
        ),
      );
    return undefined;
  };
}

/** The route's JSON body, read up to `limit` bytes and checked against its schema. */
export function bodyStage(limit: number): Stage {
  return async (x) => {
    const { route } = matched(x);
    if (!route.body) return undefined;
    const raw = await readJsonBody(x.req, { limit, optional: route.bodyOptional ?? false });
    if (raw === undefined) return undefined;
    const parsed = route.body.safeParse(raw);
    if (!parsed.success) throw invalidInput(parsed.error, 'body');
    x.body = parsed.data;
    return undefined;
  };
}

export interface HandleDeps {
  /** Read answers per namespace change, with ETags. */
  cache: RepresentationCache;
  log: Logger;
}

/** Runs the route's handler: a read from the representation cache (ETag, 304), a write logged with its answer. */
export function handleStage(deps: HandleDeps): Stage {
  return async (x) => {
    const { url, route, namespace, params } = matched(x);
    const { req, res, user } = x;
    const request = { namespace, params, query: url.searchParams, body: x.body, user: user?.username };
    const asText = route.text !== undefined && prefersText(req.headers.accept);
    if (route.read) {
      const key = `${route.path}\n${url.pathname}\n${[...url.searchParams].sort().join('&')}${asText ? '\ntext' : ''}`;
      const render = (answer: unknown) => (asText ? route.text!(answer) : JSON.stringify(answer));
      // An answer that depends on the time (time left) is computed at each request.
      const rep = route.live
        ? representation(render(await route.handle(request)))
        : deps.cache.get(namespace, key, () => render(route.handle(request)));
      res.setHeader('ETag', rep.etag);
      res.setHeader('Cache-Control', 'no-cache');
      if (route.text) res.setHeader('Vary', 'Accept');
      if (ifNoneMatch(req.headers['if-none-match'], rep.etag)) return { status: 304 };
      return { status: 200, body: rep.body, type: asText ? 'text/plain; charset=utf-8' : undefined };
    }
    const answer = await route.handle(request);
    deps.log.info(
      { method: x.method, path: url.pathname, user: user?.username, status: 200, answer },
      'HTTP API write',
    );
    return { status: 200, body: Buffer.from(JSON.stringify(answer)) };
  };
}

/**
 * Only the route's own query parameters, each once unless repeatable: 400
 * naming the first other one. Anything else would only make new cache keys.
 */
function checkQuery(route: Route, query: URLSearchParams): void {
  const known = route.query ?? {};
  const seen = new Set<string>();
  for (const name of query.keys()) {
    const param = Object.hasOwn(known, name) ? known[name] : undefined;
    if (!param) {
      const takes = Object.keys(known);
      throw new HttpError(
        400,
        'BadRequest',
        `unknown query parameter ${JSON.stringify(name.slice(0, 64))}: ${route.method} ${route.path} takes ${takes.length ? takes.join(', ') : 'none'}`,
      );
    }
    if (seen.has(name) && !param.repeated)
      throw new HttpError(400, 'BadRequest', `query parameter ${name} is given more than once`);
    seen.add(name);
  }
}

function matched(x: Exchange): Match {
  if (!x.match) throw new Error('an HTTP API stage ran before the match stage');
  return x.match;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw notFound(`"${segment}" is not a valid path segment`);
  }
}

function prefersText(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((t) => t.split(';')[0]!.trim().toLowerCase());
  const text = types.indexOf('text/plain');
  const json = types.indexOf('application/json');
  return text >= 0 && (json < 0 || text < json);
}
