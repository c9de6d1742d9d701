// Byte budgets on the real control plane: an Application with --history-limit
// 1000, 300 rollbacks with 4 KiB reasons and 64 targets keeps its status under
// the status byte budget and its versions keep moving; 600 reads with unknown
// query parameters get 400 and leave the operator's memory as it was; a
// status over etcd's request limit is refused in a way Depot recognizes.
import { readFileSync } from 'node:fs';
import { freePort } from '../../src/local/controlplane/index.js';
import type { Application } from '../../src/api/application.js';
import { Applications } from '../../src/api/resources.js';
import { isTooLarge } from '../../src/runtime/terminal-error.js';
import { apiErrorMessage, statusCodeOf } from '../../src/kube/errors.js';
import { DEFAULT_STATUS_BYTE_BUDGET } from '../../src/core/status-budget.js';
import { freshNamespace } from '../controlplane/env.js';
import { cluster, envStatus } from '../kit/cluster.js';
import { apiBase, serviceAccountToken } from '../kit/http-api.js';
import { scrape, sum } from '../kit/metrics-text.js';
import { application } from '../kit/objects.js';
import { runOperator } from '../kit/operator.js';
import type { OperatorProcess } from '../kit/operator-process.js';
import { environments } from '../kit/topologies.js';

const k = cluster();
const ENVIRONMENTS = Array.from({ length: 16 }, (_, i) => `e${i}`);
/** 4 targets per environment: 64. */
const TARGETS = Object.fromEntries(ENVIRONMENTS.flatMap((e) => [0, 1, 2, 3].map((t) => [`${e}-t${t}`, e])));
const ROLLBACK_MANAGER = 'depot-rollback.batch.alice';
const REASON_BYTES = 4096;

let ns: string;
let operator: OperatorProcess;
let base: string;
let metricsUrl: string;
let token: string;

beforeAll(async () => {
  ns = await freshNamespace(k.kc, 'budgets');
  await k.apply(ns, [
    ...environments(ENVIRONMENTS, { targets: TARGETS }),
    application('big', {
      environmentSets: ['default'],
      versions: Object.fromEntries(ENVIRONMENTS.map((e) => [e, '1.0.0'])),
    }),
    application('reads', { environmentSets: ['default'], versions: { e0: '1.0.0' } }),
  ]);
  token = await serviceAccountToken(k.kc, ns, 'reader', [
    { apiGroups: ['depot.sh'], resources: ['applications'], verbs: ['get', 'list'] },
  ]);
  metricsUrl = `http://127.0.0.1:${await freePort()}`;
  operator = await runOperator(ns, {
    args: [
      '--history-limit',
      '1000',
      '--api-addr',
      '127.0.0.1:0',
      '--metrics-addr',
      metricsUrl.slice('http://'.length),
    ],
  });
  base = await apiBase(operator);
  await k.appWhen(ns, 'big', 'big has all 64 targets', (a) => a.status?.targets?.length === 64, 60_000);
}, 120_000);

afterAll(async () => {
  await operator?.stop();
  await k.close();
});

const statusBytes = (a: Application) => Buffer.byteLength(JSON.stringify(a.status));

test('300 rollbacks with 4 KiB reasons over 64 targets: the status stays under its budget and the versions keep moving', async () => {
  // 19 writes of 16 rollbacks each (one per environment, each with its own 4 KiB reason): 304 rollbacks.
  const batches = Math.ceil(300 / ENVIRONMENTS.length);
  let largest = 0;
  for (let b = 1; b <= batches; b++) {
    const version = `2.${b}.0`;
    await k.apply(
      ns,
      [
        application(
          'big',
          { versions: Object.fromEntries(ENVIRONMENTS.map((e) => [e, version])) },
          {
            annotations: Object.fromEntries(
              ENVIRONMENTS.map((e) => [
                `rollback.depot.sh/${e}`,
                `${b}/${e}: ${'r'.repeat(REASON_BYTES)}`.slice(0, REASON_BYTES),
              ]),
            ),
          },
        ),
      ],
      ROLLBACK_MANAGER,
    );
    const app = await k.appWhen(
      ns,
      'big',
      `every environment of big desires ${version} (rollback batch ${b})`,
      (a) => ENVIRONMENTS.every((e) => envStatus(a, e)?.desired === version),
      60_000,
    );
    largest = Math.max(largest, statusBytes(app));
  }
  const app = await k.app(ns, 'big');
  process.stderr.write(
    `[measure] status budget: largest status ${largest} bytes, last ${statusBytes(app)} bytes, ${app.status!.history!.length} history entries (budget ${DEFAULT_STATUS_BYTE_BUDGET})\n`,
  );
  expect(largest).toBeLessThanOrEqual(DEFAULT_STATUS_BYTE_BUDGET);
  expect(statusBytes(app)).toBeLessThanOrEqual(DEFAULT_STATUS_BYTE_BUDGET);
  const rolledBack = app.status!.history!.filter((h) => h.type === 'RolledBack');
  // The newest rollbacks are all there, with their reasons; the oldest went to make room.
  expect(rolledBack.slice(0, ENVIRONMENTS.length).map((h) => h.to)).toEqual(
    ENVIRONMENTS.map(() => `2.${batches}.0`),
  );
  expect(rolledBack[0]!.message).toContain(`${batches}/`);
  expect(rolledBack.length).toBeLessThan(batches * ENVIRONMENTS.length);
  expect(app.status!.conditions).toContainEqual(
    expect.objectContaining({
      type: 'StatusTrimmed',
      status: 'True',
      reason: 'Trimmed',
      message: expect.stringContaining('oldest history entries dropped'),
    }),
  );
  const samples = await scrape(metricsUrl);
  expect(sum(samples, 'depot_status_trims_total')).toBeGreaterThan(0);
  expect(sum(samples, 'depot_status_trimmed_history_entries_total')).toBeGreaterThan(0);
  // Only sent entries had to go: the audit log has everything that was dropped.
  expect(sum(samples, 'depot_history_dropped_unsent_total')).toBe(0);
}, 300_000);

/** Resident memory of a process, from /proc (Linux). */
function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')![1]) * 1024;
}

test('600 reads with unknown query parameters get 400 naming the parameter, and the operator holds no more memory', async () => {
  // A large answer: the history of big (hundreds of KiB), which each unknown parameter would cache anew.
  const history = `${base}/namespaces/${ns}/applications/big/history`;
  const headers = { Authorization: `Bearer ${token}` };
  const known = await fetch(history, { headers });
  expect(known.status).toBe(200);
  expect((await known.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
  const pid = operator.child.pid!;
  const before = rssBytes(pid);
  const statuses = new Map<number, number>();
  let message = '';
  for (let i = 0; i < 600; i += 20) {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, j) => fetch(`${history}?x=${i + j}`, { headers })),
    );
    for (const res of answers) {
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const body = (await res.json()) as { message: string };
      message = body.message;
    }
  }
  expect(Object.fromEntries(statuses)).toEqual({ 400: 600 });
  expect(message).toBe(
    'unknown query parameter "x": GET /applications/{app}/history takes limit, environment',
  );
  const grown = rssBytes(pid) - before;
  process.stderr.write(
    `[measure] 600 unknown-parameter reads: operator RSS grew ${(grown / 2 ** 20).toFixed(1)} MiB\n`,
  );
  expect(grown).toBeLessThan(20 * 1024 * 1024);
  // The cache is counted in bytes, under its bound.
  const samples = await scrape(metricsUrl);
  expect(sum(samples, 'depot_http_representation_cache_bytes')).toBeLessThanOrEqual(
    sum(samples, 'depot_http_representation_cache_max_bytes'),
  );
}, 120_000);

test("a status over etcd's request limit is refused as too large, as Depot's terminal check reads it", async () => {
  // 400 entries of 4 KiB: about 1.7 MB, over etcd's 1.5 MiB, under the API server's 3 MB body limit.
  const history = Array.from({ length: 400 }, (_, i) => ({
    id: `h${i}`,
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    type: 'Requested',
    environment: 'e0',
    to: `1.0.${i}`,
    actor: 'test',
    message: 'm'.repeat(4000),
  }));
  const err = await k.client
    .patch(Applications, ns, 'reads', { status: { history } }, { type: 'merge', subresource: 'status' })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect({ code: statusCodeOf(err), message: apiErrorMessage(err), tooLarge: isTooLarge(err) }).toEqual({
    code: expect.any(Number),
    message: expect.any(String),
    tooLarge: true,
  });
});
