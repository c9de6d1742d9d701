// The live connection: GET /api/v1/dashboard/events read with fetch (so it can
// carry the Authorization header) and a streaming SSE parser; reconnects with
// backoff and Last-Event-ID, so the server resumes with deltas or sends a
// fresh snapshot when it cannot.
import { backoffDelay } from '../lib/backoff.js';
import { EVENTS_PATH, STREAM_IDLE_MS, type DashboardDelta, type DashboardSnapshot } from '../lib/contract.js';
import { createSseParser } from '../lib/sse.js';
import { apiUrl, auth, authHeaders, errorOf } from './api.js';

export type ConnState = 'connecting' | 'live' | 'reconnecting' | 'offline' | 'unauthorized';

export interface StreamHandlers {
  snapshot(s: DashboardSnapshot): void;
  deltas(d: DashboardDelta[]): void;
  state(s: ConnState, detail?: string): void;
}

const marked = new Set<string>();
/** User-timing marks of the first load, next to depot:matrix-ready, so a benchmark can split the time. */
function markOnce(name: string): void {
  if (marked.has(name)) return;
  marked.add(name);
  performance.mark(name);
}

/** Starts streaming; returns the function that stops it. */
export function startStream(namespaces: readonly string[], on: StreamHandlers): () => void {
  let stopped = false;
  let lastEventId = '';
  let attempt = 0;
  let serverRetry: number | undefined;
  let controller: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const url = () => {
    const q = new URLSearchParams();
    for (const ns of namespaces) q.append('namespace', ns);
    const s = q.toString();
    return apiUrl(EVENTS_PATH + (s ? `?${s}` : ''));
  };

  async function connect(): Promise<void> {
    controller = new AbortController();
    const ac = controller;
    let idle: ReturnType<typeof setTimeout> | undefined;
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => ac.abort(new Error('no data or heartbeat for 45 s')), STREAM_IDLE_MS);
    };
    on.state(attempt === 0 && lastEventId === '' ? 'connecting' : 'reconnecting');
    try {
      touch();
      const headers = authHeaders({ Accept: 'text/event-stream' });
      if (lastEventId) headers['Last-Event-ID'] = lastEventId;
      const res = await fetch(url(), { headers, signal: ac.signal, cache: 'no-store' });
      if (!res.ok) {
        const err = await errorOf(res);
        if (res.status === 401) {
          on.state('unauthorized', err.message);
          auth.unauthorized(err.message);
          stopped = true;
          return;
        }
        throw err;
      }
      if (!res.body) throw new Error('the response has no body to stream');
      on.state('live');
      markOnce('depot:stream-open');
      const parser = createSseParser(lastEventId);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        touch();
        for (const ev of parser.feed(value)) {
          lastEventId = ev.id;
          if (ev.event === 'snapshot') {
            markOnce('depot:snapshot-received');
            on.snapshot(JSON.parse(ev.data) as DashboardSnapshot);
            markOnce('depot:snapshot-parsed');
          } else if (ev.event === 'delta') {
            on.deltas(JSON.parse(ev.data) as DashboardDelta[]);
          }
          // Reset the backoff only once the server delivers, not when it accepts and drops at once.
          attempt = 0;
        }
        serverRetry = parser.retry;
      }
      throw new Error('the server closed the stream');
    } catch (err) {
      if (stopped) return;
      const delay = backoffDelay(attempt++, Math.random(), serverRetry);
      on.state('offline', `${(err as Error).message}; retrying in ${Math.ceil(delay / 1000)} s`);
      timer = setTimeout(() => void connect(), delay);
    } finally {
      clearTimeout(idle);
    }
  }

  void connect();
  return () => {
    stopped = true;
    clearTimeout(timer);
    controller?.abort();
  };
}
