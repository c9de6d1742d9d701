// The agent's side of the HTTP API protocol (/api/v1): it names itself
// (User-Agent, depot-client-version), polls its target's versions with
// If-None-Match, reports deployed versions, and stops with one line when the
// server is older than it needs (docs/agent.md, Versions). Answers are parsed
// with the schemas the server answers with (src/api/http.ts).
import semver from 'semver';
import {
  API_PREFIX,
  CLIENT_VERSION_HEADER,
  ErrorSchema,
  SERVER_VERSION_HEADER,
  TargetVersionsSchema,
  type TargetVersions,
} from '../api/http.js';
import { DEPOT_VERSION } from '../api/version.js';

/** The oldest server this agent works with: the first that served /api/v1 to agents. */
export const MIN_SERVER_VERSION = '0.1.0';

export const agentUserAgent = (version = DEPOT_VERSION) => `depot-agent/${version}`;

/** The server is too old for this agent: it stops with this one line. */
export class ServerTooOldError extends Error {
  constructor(readonly required: string) {
    super(`Depot server >= ${required} is required`);
    this.name = 'ServerTooOldError';
  }
}

/** A failed exchange, with the server's own {error, message} when it sent one. */
export class HubError extends Error {
  constructor(
    readonly status: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'HubError';
  }
}

export type Poll = { changed: false } | { changed: true; etag: string | undefined; versions: TargetVersions };

export interface HubClientOptions {
  /** Base URL of the server, e.g. https://depot.example (without /api/v1). */
  server: string;
  namespace: string;
  target: string;
  /** Read before every request (a projected token is rotated on disk). */
  token: () => string;
  /** This agent's version (tests play older and newer agents). */
  version?: string;
  minServerVersion?: string;
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
}

export class HubClient {
  private readonly base: string;
  private readonly version: string;

  constructor(private readonly opts: HubClientOptions) {
    this.base = `${opts.server.replace(/\/+$/, '')}${API_PREFIX}/namespaces/${encodeURIComponent(opts.namespace)}`;
    this.version = opts.version ?? DEPOT_VERSION;
  }

  /** The target's versions; unchanged (304) when `etag` still matches. */
  async poll(etag: string | undefined, signal?: AbortSignal): Promise<Poll> {
    const res = await this.request(
      'GET',
      `/targets/${encodeURIComponent(this.opts.target)}/versions`,
      { ...(etag ? { 'If-None-Match': etag } : {}) },
      undefined,
      signal,
    );
    if (res.status === 304) return { changed: false };
    const parsed = TargetVersionsSchema.safeParse(await res.json());
    if (!parsed.success)
      throw new HubError(
        res.status,
        `the server's answer is not a v1 target versions document: ${parsed.error.issues[0]?.message}`,
      );
    return { changed: true, etag: res.headers.get('etag') ?? undefined, versions: parsed.data };
  }

  /** Reports that the target runs `version` of `application`. */
  async reportDeployed(application: string, version: string, signal?: AbortSignal): Promise<void> {
    await this.request(
      'PUT',
      `/applications/${encodeURIComponent(application)}/targets/${encodeURIComponent(this.opts.target)}/deployed`,
      { 'Content-Type': 'application/json' },
      JSON.stringify({ version }),
      signal,
    );
  }

  private async request(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Response> {
    const timeout = AbortSignal.timeout(this.opts.requestTimeoutMs ?? 30_000);
    let res: Response;
    try {
      res = await (this.opts.fetch ?? fetch)(`${this.base}${path}`, {
        method,
        body,
        headers: {
          'User-Agent': agentUserAgent(this.version),
          [CLIENT_VERSION_HEADER]: this.version,
          Accept: 'application/json',
          Authorization: `Bearer ${this.opts.token()}`,
          ...headers,
        },
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new HubError(
        undefined,
        `cannot reach ${this.opts.server}: ${cause?.code ?? cause?.message ?? (err as Error).message}`,
      );
    }
    this.checkServerVersion(res);
    if (res.ok || res.status === 304) return res;
    const text = await res.text();
    const error = ErrorSchema.safeParse(safeJson(text));
    throw new HubError(
      res.status,
      `${method} ${path}: ${res.status} ${error.success ? `${error.data.error}: ${error.data.message}` : text.slice(0, 200)}`,
    );
  }

  /**
   * A Depot server names its version on every answer: an older one than
   * needed, or a 404 without the header (a server without this API), is too
   * old. Other answers without it (a proxy's 502) are failures to retry.
   */
  private checkServerVersion(res: Response): void {
    const required = this.opts.minServerVersion ?? MIN_SERVER_VERSION;
    const header = res.headers.get(SERVER_VERSION_HEADER);
    if (header === null) {
      if (res.status === 404) throw new ServerTooOldError(required);
      return;
    }
    const server = semver.valid(header);
    if (!server || semver.lt(server, required)) throw new ServerTooOldError(required);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
