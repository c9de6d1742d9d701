// dashboard_1k / dashboard_10k: the operator's dashboard (its HTTP API serves
// dist/ui at /) in Debian's Chromium, with N Applications × 3 environments:
// time until the matrix has every row (the page's depot:matrix-ready mark),
// spec write → status → the cell showing it (a MutationObserver in the page),
// bytes of the first load (CDP) and per change (the stream's bytes, counted
// by wrapping fetch in the page), and the operator's added resident memory
// with 20 dashboards' streams open.
import { RbacAuthorizationV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freePort } from '../../src/local/controlplane/index.js';
import { sumOf } from '../prometheus-text.js';
import type { OperatorProcess } from '../operator-process.js';
import type { AppsWorld } from '../apps-world.js';
import { scaled, type Scenario, type ScenarioContext } from '../scenario.js';
import { latencySummary, percentile, round } from '../stats.js';
import { appsGroup, memoryGroup } from './groups.js';

const READY_MARK = 'depot:matrix-ready';
const VIEWER = 'dashboard-bench';
const STREAMS = 20;
const PER_CHANGE_BOUND_MS = 10_000;

/** A token of a ServiceAccount that may read the namespace's Depot objects (audience depot). */
async function viewerToken(kc: KubeConfig, namespace: string): Promise<string> {
  const core = kc.makeApiClient(CoreV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const meta = { name: VIEWER, namespace };
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: meta } }).catch(ignoreConflict);
  await rbac
    .createNamespacedRole({
      namespace,
      body: {
        metadata: meta,
        rules: [{ apiGroups: ['depot.sh'], resources: ['*'], verbs: ['get', 'list', 'watch'] }],
      },
    })
    .catch(ignoreConflict);
  await rbac
    .createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: meta,
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: VIEWER },
        subjects: [{ kind: 'ServiceAccount', name: VIEWER, namespace }],
      },
    })
    .catch(ignoreConflict);
  const token = await core.createNamespacedServiceAccountToken({
    name: VIEWER,
    namespace,
    body: { spec: { audiences: ['depot'], expirationSeconds: 3600 } },
  });
  const value = token.status?.token;
  if (!value) throw new Error(`the TokenRequest for ServiceAccount ${namespace}/${VIEWER} returned no token`);
  return value;
}

function ignoreConflict(err: unknown): void {
  if ((err as { code?: unknown }).code !== 409) throw err;
}

// Page-side code is text (this project compiles without the DOM library).
// Runs in the page before its scripts: counts the event stream's bytes and
// delta events, and notes when the sign-in button is pressed.
const INSTRUMENT_PAGE = `(() => {
  const b = (window.__bench = { streamBytes: 0, deltaEvents: 0 });
  const original = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const res = await original(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.includes('/dashboard/events') || !res.body) return res;
    const decoder = new TextDecoder();
    const counted = res.body.pipeThrough(new TransformStream({
      transform(chunk, out) {
        b.streamBytes += chunk.byteLength;
        b.deltaEvents += decoder.decode(chunk, { stream: true }).split('event: delta').length - 1;
        out.enqueue(chunk);
      },
    }));
    return new Response(counted, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
  document.addEventListener('click', (e) => {
    if (e.target?.closest?.('[data-testid="token-submit"]')) b.submitAt ??= performance.now();
  }, true);
})()`;

interface PageCounters {
  streamBytes: number;
  deltaEvents: number;
}

const counters = (page: Page) =>
  page.evaluate<PageCounters>(
    '({ streamBytes: window.__bench.streamBytes, deltaEvents: window.__bench.deltaEvents })',
  );

interface Load {
  page: Page;
  /** ms from navigation start to depot:matrix-ready. */
  fromNavigationMs: number;
  /** ms from pressing "sign in" to depot:matrix-ready (what the user waits for). */
  fromSignInMs: number;
  rows: number;
  marks: Record<string, number>;
  staticBytes: number;
  streamBytes: number;
}

/** Opens the page, signs in, waits for the matrix; bytes from CDP (static) and the fetch wrapper (stream). */
async function load(browser: Browser, origin: string, token: string, timeoutMs: number): Promise<Load> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.addInitScript({ content: INSTRUMENT_PAGE });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const urls = new Map<string, string>();
  let staticBytes = 0;
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
  cdp.on('Network.loadingFinished', (e) => {
    if (!urls.get(e.requestId)?.includes('/dashboard/events')) staticBytes += e.encodedDataLength;
  });
  await page.goto(`${origin}/`);
  await page.getByTestId('token-input').fill(token);
  await page.getByTestId('token-submit').click();
  // A function, not text: the page's CSP refuses a predicate given as text (no 'unsafe-eval').
  await page.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, READY_MARK, {
    timeout: timeoutMs,
    polling: 50,
  });
  const figures = await page.evaluate<{
    ready: number;
    rows: number;
    submitAt: number;
    streamBytes: number;
    marks: Record<string, number>;
  }>(`(() => {
    const ready = performance.getEntriesByName('${READY_MARK}')[0];
    const b = window.__bench;
    const marks = Object.fromEntries(performance.getEntriesByType('mark')
      .filter((e) => e.name.startsWith('depot:')).map((e) => [e.name, Math.round(e.startTime)]));
    return { ready: ready.startTime, rows: ready.detail?.rows ?? -1, submitAt: b.submitAt ?? 0,
      streamBytes: b.streamBytes, marks };
  })()`);
  return {
    page,
    fromNavigationMs: figures.ready,
    fromSignInMs: figures.ready - figures.submitAt,
    rows: figures.rows,
    marks: figures.marks,
    staticBytes,
    streamBytes: figures.streamBytes,
  };
}

/** Epoch ms at which the cell shows `version` as desired (observed in the page). */
function cellShows(page: Page, selector: string, version: string, timeoutMs: number): Promise<number> {
  return page.evaluate<number>(`new Promise((resolve, reject) => {
    const sel = ${JSON.stringify(selector)}, v = ${JSON.stringify(version)};
    const check = () => {
      if (document.querySelector(sel)?.getAttribute('data-desired') !== v) return;
      observer.disconnect();
      clearTimeout(timer);
      resolve(performance.timeOrigin + performance.now());
    };
    const observer = new MutationObserver(check);
    const timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error(sel + ' did not show ' + v));
    }, ${timeoutMs});
    observer.observe(document.body, { subtree: true, childList: true, attributes: true });
    check();
  })`);
}

/** 20 raw event streams (what 20 open dashboards cost the operator): bytes until each snapshot ended. */
async function openStreams(origin: string, token: string, n: number, deadline: number) {
  const ac = new AbortController();
  const snapshotBytes: number[] = [];
  const readers = Array.from({ length: n }, async () => {
    const res = await fetch(`${origin}/api/v1/dashboard/events`, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' },
      signal: ac.signal,
    });
    if (!res.ok || !res.body) throw new Error(`the event stream answered HTTP ${res.status}`);
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let bytes = 0;
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the event stream ended before its snapshot');
      bytes += value.byteLength;
      text += decoder.decode(value, { stream: true });
      const at = text.indexOf('event: snapshot');
      if (at >= 0 && text.indexOf('\n\n', at) >= 0) break;
    }
    snapshotBytes.push(bytes);
    // Keep reading (and discarding) as an open page would.
    void (async () => {
      for (;;) if ((await reader.read().catch(() => ({ done: true }))).done) return;
    })();
  });
  const timeout = sleep(Math.max(0, deadline - Date.now()), 'timeout' as const);
  const outcome = await Promise.race([Promise.all(readers).then(() => 'ok' as const), timeout]);
  if (outcome === 'timeout') {
    ac.abort();
    throw new Error(`${n} event streams did not all get their snapshot in time`);
  }
  return { close: () => ac.abort(), snapshotBytes };
}

/** The operator's V8 heap in use (MiB, its /metrics), beside RSS: tells retained objects from pages V8 keeps. */
async function heapUsedMib(op: OperatorProcess): Promise<number | null> {
  const samples = await op.metrics().catch(() => undefined);
  return samples ? round(sumOf(samples, 'nodejs_heap_size_used_bytes', {}) / 2 ** 20, 1) : null;
}

export function launchBrowser(root: string): Promise<Browser> {
  const executablePath = execFileSync(join(root, 'scripts', 'ensure-chromium.sh'), {
    encoding: 'utf8',
  }).trim();
  return chromium.launch({ executablePath, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
}

async function runDashboard(world: AppsWorld, ctx: ScenarioContext, changes: number) {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const { op } = await world.ensureOperator(['--api-addr', `127.0.0.1:${port}`], ctx.deadline);
  const precondition = await world.ensureApps(ctx, 0.5);
  const token = await viewerToken(world.cluster.kc, world.namespace);
  await sleep(3000, undefined, { signal: ctx.env.signal }); // let the converged operator settle
  const rssBefore = op.memory()?.rss_mib ?? null;
  const heapBefore = await heapUsedMib(op);
  const browser = await launchBrowser(ctx.env.root);
  try {
    const loadTimeout = Math.max(10_000, Math.min(120_000, ctx.deadline - Date.now()));
    const first = await load(browser, origin, token, loadTimeout);
    if (first.rows !== world.names.length)
      throw new Error(`the matrix was ready with ${first.rows} rows, not ${world.names.length}`);
    const page = first.page;
    // Cells of the rows the viewport shows (the matrix is virtualized).
    const prefix = `cell-${world.namespace}/`;
    const visible = await page.evaluate<string[]>(
      `[...document.querySelectorAll('[data-testid^="${prefix}"][data-testid$="/dev"]')]
        .map((e) => e.getAttribute('data-testid').slice(${prefix.length}, -4))`,
    );
    if (visible.length === 0) throw new Error('no dev cell is rendered in the viewport');
    const writeToCell: number[] = [];
    const statusToCell: number[] = [];
    const bytesPerChange: number[] = [];
    const deltasPerChange: number[] = [];
    let timedOut = 0;
    for (let i = 0; i < changes && Date.now() < ctx.deadline - 20_000; i++) {
      const name = visible[i % visible.length]!;
      const version = `2.${Math.floor(i / visible.length)}.${i}`;
      const selector = `[data-testid="cell-${world.namespace}/${name}/dev"]`;
      const before = await counters(page);
      const shown = cellShows(page, selector, version, PER_CHANGE_BOUND_MS);
      shown.catch(() => undefined);
      const sent = Date.now();
      await world.setVersions([name], 'dev', () => version, ctx.deadline);
      const wait = await world.waitConverged([name], sent + PER_CHANGE_BOUND_MS, ['dev']);
      const at = await shown.catch(() => undefined);
      const statusAt = wait.times.get(name);
      if (at === undefined || statusAt === undefined) {
        timedOut++;
        continue;
      }
      writeToCell.push(at - sent);
      statusToCell.push(Math.max(0, at - statusAt));
      await sleep(500); // deltas that follow the one that changed the cell
      const after = await counters(page);
      bytesPerChange.push(after.streamBytes - before.streamBytes);
      deltasPerChange.push(after.deltaEvents - before.deltaEvents);
    }
    // Two more loads with the operator's feed warm.
    const again: Load[] = [];
    for (let i = 0; i < 2 && Date.now() < ctx.deadline - 60_000; i++) {
      const l = await load(browser, origin, token, loadTimeout);
      again.push(l);
      await l.page.context().close();
    }
    await page.context().close();
    await browser.close();
    await sleep(2000, undefined, { signal: ctx.env.signal });
    const rssNoPage = op.memory()?.rss_mib ?? null;
    const streams = await openStreams(origin, token, STREAMS, Math.min(ctx.deadline, Date.now() + 120_000));
    await sleep(5000, undefined, { signal: ctx.env.signal });
    const rssStreams = op.memory()?.rss_mib ?? null;
    const heapStreams = await heapUsedMib(op);
    streams.close();
    const s = (ms: number) => round(ms / 1000, 3);
    const median = (xs: number[]) => (xs.length ? percentile(xs, 50) : undefined);
    return {
      apps: world.names.length,
      environments: world.topology.environments.length,
      precondition,
      first_load: {
        ready_from_sign_in_s: s(first.fromSignInMs),
        ready_from_navigation_s: s(first.fromNavigationMs),
        rows: first.rows,
        marks_ms: first.marks,
        static_bytes: first.staticBytes,
        snapshot_bytes: first.streamBytes,
        total_kib: round((first.staticBytes + first.streamBytes) / 1024, 1),
      },
      warm_loads: again.map((l) => ({
        ready_from_sign_in_s: s(l.fromSignInMs),
        ready_from_navigation_s: s(l.fromNavigationMs),
      })),
      visible_rows: visible.length,
      changes_requested: changes,
      changes_measured: writeToCell.length,
      timed_out: timedOut,
      write_to_cell: latencySummary(writeToCell) ?? null,
      status_to_cell: latencySummary(statusToCell) ?? null,
      bytes_per_change: {
        median: median(bytesPerChange) ?? null,
        max: bytesPerChange.length ? Math.max(...bytesPerChange) : null,
        delta_events_median: median(deltasPerChange) ?? null,
        bytes_per_delta_event_max:
          bytesPerChange.length > 0
            ? Math.round(Math.max(...bytesPerChange.map((b, i) => b / Math.max(1, deltasPerChange[i]!))))
            : null,
      },
      memory: {
        streams: STREAMS,
        rss_before_mib: rssBefore,
        rss_after_pages_closed_mib: rssNoPage,
        rss_with_streams_mib: rssStreams,
        added_mib: rssBefore !== null && rssStreams !== null ? round(rssStreams - rssBefore, 1) : null,
        snapshot_bytes_per_stream: streams.snapshotBytes[0] ?? null,
        heap_used_before_mib: heapBefore,
        heap_used_with_streams_mib: heapStreams,
      },
      operator_flags: op.flags,
    };
  } finally {
    await browser.close().catch(() => undefined);
  }
}

export const dashboard1k: Scenario<AppsWorld> = {
  key: 'dashboard_1k',
  group: appsGroup,
  title:
    'the dashboard in Chromium with N Applications × 3 environments: first load, status → cell, bytes, memory',
  target: 'ready ≤ 1 s; delta p99 ≤ 1 s; < 1 KB per changed cell',
  notQuick: true,
  boundS: (o) => scaled(o.apps, 0.2, 180, 600),
  minimumS: () => 120,
  run: (world, ctx) => runDashboard(world, ctx, 40),
};

export const dashboard10k: Scenario<AppsWorld> = {
  key: 'dashboard_10k',
  group: memoryGroup,
  title:
    'the dashboard in Chromium with 10 × N Applications × 3 environments: first load, status → cell, bytes, memory',
  target: 'ready ≤ 3 s; delta p99 ≤ 1 s; < 1 KB per changed cell',
  notQuick: true,
  boundS: (o) => scaled(o.memoryApps, 0.08, 240, 1200),
  minimumS: () => 240,
  run: (world, ctx) => runDashboard(world, ctx, 40),
};
