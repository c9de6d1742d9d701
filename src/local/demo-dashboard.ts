// The demo's dashboard: `depot dashboard -n <namespace>` as the demo's admin
// (a child process, as a user would run it), its URL printed; with
// DEMO_EXIT=1 the page and the stream's first snapshot are checked once (the
// page is served, the snapshot has the samples' rows).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DashboardSnapshotSchema } from '../api/dashboard.js';
import { followSse } from '../client/sse-events.js';

const say = (line: string) => process.stdout.write(`${line}\n`);

export interface DemoDashboard {
  url: string;
  stop(): void;
}

export async function demoDashboard(
  root: string,
  kubeconfig: string,
  namespace: string,
  check: boolean,
): Promise<DemoDashboard> {
  const port = process.env.DEMO_DASHBOARD_PORT ?? (check ? '0' : '8090');
  const args = [join(root, 'bin', 'depot.js'), 'dashboard', '-n', namespace, '--port', port];
  const child = spawn(process.execPath, [...args, '--kubeconfig', kubeconfig], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) =>
      reject(new Error(`depot dashboard exited (${code}) before it printed its URL`)),
    );
  });
  const stop = () => void child.kill('SIGINT');
  say(`== The dashboard: depot dashboard -n ${namespace} (your kubeconfig, your RBAC): ${url}`);
  if (!check) return { url, stop };
  try {
    const page = await fetch(url);
    const html = await page.text();
    if (page.status !== 200 || !html.includes('<script'))
      throw new Error(
        `the dashboard's page answered ${page.status}: build it with npm run build:ui (make build)`,
      );
    const res = await streamWhenSynced(new URL('api/v1/dashboard/events', url));
    let rows: string[] = [];
    await followSse(res.body!, (e) => {
      if (e.event !== 'snapshot') return false;
      rows = DashboardSnapshotSchema.parse(JSON.parse(e.data)).rows.map((r) => r.name);
      return true;
    });
    if (rows.length === 0) throw new Error('the dashboard stream sent no application');
    say(
      `   checked: the page (${html.length} bytes) and the live stream (${rows.length} applications: ${rows.join(', ')})`,
    );
  } catch (err) {
    stop();
    throw err;
  }
  return { url, stop };
}

/** The stream, once the dashboard's caches are synced (503 until then). */
async function streamWhenSynced(url: URL): Promise<Response> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await fetch(url, { signal: AbortSignal.timeout(60_000) });
    if (res.ok) return res;
    const body = await res.text();
    if (res.status !== 503 || Date.now() > deadline)
      throw new Error(`the dashboard's stream answered ${res.status}: ${body}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
