// Requests to the Depot HTTP API: the bearer token (in memory only, never in
// storage or the URL), JSON bodies, and errors reduced to one line.
import type { ErrorBody } from '../lib/contract.js';

let token: string | undefined;
const unauthorizedListeners = new Set<(message: string) => void>();

export const auth = {
  get token(): string | undefined {
    return token;
  },
  set(value: string | undefined): void {
    token = value && value.trim() !== '' ? value.trim() : undefined;
  },
  /** Called when any request is answered 401: the page shows the login form again. */
  onUnauthorized(listener: (message: string) => void): () => void {
    unauthorizedListeners.add(listener);
    return () => unauthorizedListeners.delete(listener);
  },
  unauthorized(message: string): void {
    for (const l of unauthorizedListeners) l(message);
  },
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

/** Relative to the page, so the dashboard also works under a path prefix behind a proxy. */
export function apiUrl(path: string): string {
  return new URL(path.replace(/^\//, ''), document.baseURI).toString();
}

export function authHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return token ? { ...extra, Authorization: `Bearer ${token}` } : extra;
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

export async function errorOf(res: Response): Promise<ApiError> {
  let kind = res.statusText || 'Error';
  let message = `${res.status} ${res.statusText}`.trim();
  try {
    const body = (await res.json()) as Partial<ErrorBody>;
    if (typeof body.message === 'string') message = body.message;
    if (typeof body.error === 'string') kind = body.error;
  } catch {
    // not JSON (a proxy's page): keep the status line
  }
  return new ApiError(res.status, kind, oneLine(message));
}

export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(apiUrl(path), {
      method: init.method ?? 'GET',
      headers: authHeaders(init.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal,
      cache: 'no-store',
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'NetworkError', `cannot reach the server: ${oneLine((err as Error).message)}`);
  }
  if (!res.ok) {
    const error = await errorOf(res);
    if (res.status === 401) auth.unauthorized(error.message);
    throw error;
  }
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export const nsPath = (namespace: string, rest: string) =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}${rest}`;
export const appPath = (namespace: string, app: string, rest = '') =>
  nsPath(namespace, `/applications/${encodeURIComponent(app)}${rest}`);
