// One dashboard stream (GET /api/v1/dashboard/events): server-sent events over
// a response the page reads with fetch (so the token travels in the
// Authorization header, never in the URL). First a snapshot of the namespaces
// the user may read (or, with a known Last-Event-ID, the batches since it),
// then each batch's deltas for those namespaces, heartbeat comments every
// 15 s. A namespace that appears later is checked when its first delta
// arrives; access is checked again every minute and the stream ends when it
// shrinks (the page reconnects and gets a snapshot without it).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DASHBOARD_HEARTBEAT_MS } from '../../api/dashboard.js';
import type { AccessReviewer } from '../access-review.js';
import { namespaceView, type NamespaceView, type Viewer } from './access.js';
import type { DashboardFeed, FeedBatch, FeedDelta } from './feed.js';

export interface StreamOptions {
  heartbeatMs?: number;
  /** How often the user's access is checked again (default 60 s). */
  recheckMs?: number;
  /** Bytes queued for a slow client before the stream is ended (default 8 MiB); it resumes on reconnect. */
  maxQueuedBytes?: number;
  /** Checks the viewer's credentials again (a token may expire); false ends the stream. */
  stillValid?: () => Promise<boolean>;
}

export const streamDefaults = {
  heartbeatMs: DASHBOARD_HEARTBEAT_MS,
  recheckMs: 60_000,
  maxQueuedBytes: 8 << 20,
};

export async function serveStream(
  req: IncomingMessage,
  res: ServerResponse,
  feed: DashboardFeed,
  reviewer: AccessReviewer,
  viewer: Viewer,
  requested: readonly string[],
  opts: StreamOptions = {},
): Promise<void> {
  const o = { ...streamDefaults, ...opts };
  const wanted = (ns: string) => requested.length === 0 || requested.includes(ns);
  const views = new Map<string, NamespaceView>();
  const checking = new Map<string, Promise<void>>();
  feed.flush();
  await Promise.all(
    feed
      .namespaces()
      .filter(wanted)
      .map(async (ns) => views.set(ns, await namespaceView(reviewer, viewer, ns))),
  );
  if (req.destroyed) return;

  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    'X-Accel-Buffering': 'no',
    Connection: 'keep-alive',
  });
  // Long-lived: the server's idle and request timeouts do not apply (heartbeats keep proxies open).
  req.socket.setTimeout(0);
  res.socket?.setNoDelay(true);

  let ended = false;
  const send = (text: string) => {
    if (ended) return;
    res.write(text);
    if (res.writableLength > o.maxQueuedBytes) end();
  };
  const visible = (d: FeedDelta) => views.get(d.namespace)?.rows === true;
  const deltaJson = (d: FeedDelta) =>
    views.get(d.namespace)?.promotions === false ? withoutPromotions(d) : d.json;

  const resumeFrom = feed.seqOf(header(req, 'last-event-id'));
  const missed = resumeFrom === undefined ? undefined : feed.since(resumeFrom);
  if (missed) for (const b of missed) sendBatch(b);
  else send(event('snapshot', feed.eventId(), snapshotJson()));

  const unsubscribe = feed.subscribe((batch) => {
    const unknown = new Set(
      batch.deltas.map((d) => d.namespace).filter((ns) => wanted(ns) && !views.has(ns)),
    );
    for (const ns of unknown) admit(ns);
    sendBatch(batch);
  });
  const heartbeat = setInterval(() => send(': heartbeat\n\n'), o.heartbeatMs);
  const recheck = setInterval(() => void recheckAccess(), o.recheckMs);
  heartbeat.unref();
  recheck.unref();

  function end() {
    if (ended) return;
    ended = true;
    unsubscribe();
    clearInterval(heartbeat);
    clearInterval(recheck);
    res.end();
  }
  req.on('close', end);
  res.on('error', end);

  function sendBatch(b: FeedBatch) {
    const shown = b.deltas.filter((d) => visible(d) && !checking.has(d.namespace));
    if (shown.length > 0) send(event('delta', feed.eventId(b.seq), `[${shown.map(deltaJson).join(',')}]`));
  }

  function snapshotJson(): string {
    const namespaces: string[] = [];
    const rows: string[] = [];
    for (const ns of feed.namespaces()) {
      const view = views.get(ns);
      const h = feed.header(ns);
      if (!view?.rows || !h) continue;
      namespaces.push(view.promotions ? h.json : JSON.stringify({ ...h.value, promotions: [] }));
      rows.push(...feed.rowsOf(ns));
    }
    return `{"namespaces":[${namespaces.join(',')}],"rows":[${rows.join(',')}]}`;
  }

  /** A namespace first seen after the snapshot: once allowed, its whole state as deltas. */
  function admit(ns: string) {
    const p = namespaceView(reviewer, viewer, ns)
      .then((view) => {
        checking.delete(ns);
        views.set(ns, view);
        const h = feed.header(ns);
        if (!view.rows || !h) return;
        const header = view.promotions ? h.json : JSON.stringify({ ...h.value, promotions: [] });
        const rows = feed.rowsOf(ns).map((r) => `{"op":"row","row":${r}}`);
        send(
          event(
            'delta',
            feed.eventId(),
            `[{"op":"namespace","namespace":${header}}${rows.map((r) => `,${r}`).join('')}]`,
          ),
        );
      })
      .catch(() => {
        checking.delete(ns);
        views.set(ns, { rows: false, promotions: false });
      });
    checking.set(ns, p);
  }

  async function recheckAccess() {
    try {
      if (opts.stillValid && !(await opts.stillValid())) return end();
      for (const [ns, before] of views) {
        const now = await namespaceView(reviewer, viewer, ns);
        if ((before.rows && !now.rows) || (before.promotions && !now.promotions)) return end();
        views.set(ns, now);
      }
    } catch {
      // The reviews failed (API server unavailable): keep what was allowed until the next check.
    }
  }
}

function event(name: string, id: string, data: string): string {
  return `id: ${id}\nevent: ${name}\ndata: ${data}\n\n`;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function withoutPromotions(d: FeedDelta): string {
  const parsed = JSON.parse(d.json) as { op: string; namespace?: { promotions?: unknown[] } };
  if (parsed.op !== 'namespace' || !parsed.namespace) return d.json;
  return JSON.stringify({ ...parsed, namespace: { ...parsed.namespace, promotions: [] } });
}
