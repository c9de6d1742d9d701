// The audit sink on the real API server: a CloudEvents receiver on loopback
// (the external system) gets every history entry once; an entry written just
// before a kill -9 is sent by the next operator with the same id; while the
// sink is down versions keep moving, and everything arrives once it is back.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventsV1Api } from '@kubernetes/client-node';
import type { Application } from '../../src/api/application.js';
import { freePort } from '../../src/local/controlplane/index.js';
import { scrape, sum } from '../kit/metrics-text.js';
import { depotOperatorWithHooks, STATUS_PAUSE_MESSAGE } from '../kit/depot-operator-hooks.js';
import { application } from '../kit/objects.js';
import { twoEnvironments } from '../kit/topologies.js';
import { cluster, envStatus } from '../kit/cluster.js';
import { runOperator } from '../kit/operator.js';
import { depotCli, type OperatorProcess } from '../kit/operator-process.js';
import { eventually } from '../kit/eventually.js';
import { freshNamespace } from '../controlplane/env.js';

const k = cluster();
const { kc } = k;
const kubeconfig = process.env.DEPOT_TEST_KUBECONFIG!;

interface Received {
  headers: IncomingHttpHeaders;
  event: { id: string; type: string; source: string; specversion: string; data: { id: string } };
}

/** A CloudEvents receiver: keeps every request it accepted; `down()` closes it (connection refused). */
class Receiver {
  readonly received: Received[] = [];
  private server?: Server;
  port = 0;

  async up(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        this.received.push({ headers: req.headers, event: JSON.parse(body) as Received['event'] });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async down(): Promise<void> {
    this.server!.closeAllConnections();
    await new Promise((resolve) => this.server!.close(resolve));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/events`;
  }

  ids(): string[] {
    return this.received.map((r) => r.event.id);
  }
}

async function basics(ns: string): Promise<void> {
  await k.apply(ns, [
    ...twoEnvironments({ targets: { 'dev-1': 'dev', 'prod-eu': 'prod' } }),
    application('core', { environmentSets: ['default'], versions: { dev: '1.0.0', prod: '1.0.0' } }),
  ]);
}

const historyIds = (app: Application): string[] => (app.status?.history ?? []).map((h) => h.id!);
const setVersion = (ns: string, version: string) =>
  expect(depotCli(kubeconfig, ns, 'set-version', 'core', 'dev', version).status).toBe(0);

describe('the audit sink', () => {
  const receiver = new Receiver();
  let operator: OperatorProcess | undefined;
  beforeAll(() => receiver.up());
  afterEach(async () => operator?.stop());
  afterAll(() => receiver.down());

  test('a CloudEvents receiver gets every history entry once, in structured JSON mode', async () => {
    const ns = await freshNamespace(kc, 'sink-once');
    await basics(ns);
    operator = await runOperator(ns, { args: ['--audit-sink', receiver.url] });
    await eventually('dev desires 1.0.0', async () => envStatus(await k.app(ns, 'core'), 'dev')?.desired);
    setVersion(ns, '1.1.0');
    const app = await eventually('every entry of 1.1.0 at the receiver', async () => {
      const a = await k.app(ns, 'core');
      const ids = historyIds(a);
      return envStatus(a, 'dev')?.desired === '1.1.0' && ids.every((id) => receiver.ids().includes(id)) && a;
    });
    // A later write of the status must not send anything again.
    setVersion(ns, '1.2.0');
    const later = await eventually('1.2.0 at the receiver', async () => {
      const a = await k.app(ns, 'core');
      return (
        historyIds(a).every((id) => receiver.ids().includes(id)) &&
        envStatus(a, 'dev')?.desired === '1.2.0' &&
        a
      );
    });
    const ids = historyIds(later);
    const mine = receiver.received.filter((r) => ids.includes(r.event.id));
    expect(mine.map((r) => r.event.id).sort()).toEqual([...ids].sort());
    for (const r of mine) {
      const entry = later.status!.history!.find((h) => h.id === r.event.id)!;
      expect(r.headers['content-type']).toMatch(/^application\/cloudevents\+json/);
      expect(r.event).toMatchObject({
        specversion: '1.0',
        type: `sh.depot.${entry.type}`,
        source: `/apis/depot.sh/v1alpha1/namespaces/${ns}/applications/core`,
        data: entry,
      });
    }
    expect(historyIds(app).length).toBeGreaterThan(0);
    expect(later.status!.historySinkThrough).toBeDefined();
  }, 120_000);

  test('an entry written right before kill -9 is sent by the next operator with the same id', async () => {
    const ns = await freshNamespace(kc, 'sink-crash');
    await basics(ns);
    const args = ['--audit-sink', receiver.url];
    operator = await runOperator(ns, { args });
    await eventually('core has a status', async () => envStatus(await k.app(ns, 'core'), 'dev')?.desired);
    await operator.stop();
    operator = await runOperator(ns, {
      args,
      entry: depotOperatorWithHooks({ pauseAfterStatusWriteMs: 120_000 }),
    });
    await eventually('the new operator is running', async () =>
      operator!.output().includes('starting the operator'),
    );
    setVersion(ns, '1.1.0');
    await eventually('paused after the status write', async () =>
      operator!.output().includes(STATUS_PAUSE_MESSAGE),
    );
    await operator.stop('SIGKILL');
    const written = await k.app(ns, 'core');
    const requested = written.status!.history!.find((h) => h.type === 'Requested' && h.to === '1.1.0')!;
    expect(requested.id).toMatch(/^[0-9a-f]{20}$/);
    expect(receiver.ids()).not.toContain(requested.id);

    operator = await runOperator(ns, { args });
    const got = await eventually('the entry at the receiver', async () =>
      receiver.received.find((r) => r.event.id === requested.id),
    );
    expect(got.event).toMatchObject({ type: 'sh.depot.Requested', data: requested });
    await eventually('every entry in status at the receiver', async () =>
      historyIds(await k.app(ns, 'core')).every((id) => receiver.ids().includes(id)),
    );
  }, 120_000);

  test('while the sink is down versions keep moving; everything arrives after it recovers', async () => {
    const ns = await freshNamespace(kc, 'sink-down');
    await basics(ns);
    operator = await runOperator(ns, {
      args: [
        '--audit-sink',
        receiver.url,
        '--audit-sink-retry-base-delay',
        '200ms',
        '--audit-sink-retry-max-delay',
        '2s',
      ],
    });
    const first = await eventually('first entries at the receiver', async () => {
      const a = await k.app(ns, 'core');
      const ids = historyIds(a);
      return ids.length > 0 && ids.every((id) => receiver.ids().includes(id)) && ids;
    });
    await receiver.down();
    const before = receiver.received.length;
    for (const version of ['1.1.0', '1.2.0', '1.3.0']) {
      setVersion(ns, version);
      await eventually(
        `dev desires ${version} with the sink down`,
        async () => envStatus(await k.app(ns, 'core'), 'dev')?.desired === version,
      );
    }
    await eventually(
      'the operator retries',
      async () => (operator!.output().match(/trying again later/g) ?? []).length >= 3,
    );
    expect(receiver.received.length).toBe(before);
    const during = historyIds(await k.app(ns, 'core')).filter((id) => !first.includes(id));
    expect(during.length).toBeGreaterThanOrEqual(3);
    await receiver.up();
    await eventually('everything arrives after the sink recovers', async () =>
      during.every((id) => receiver.ids().includes(id)),
    );
    // Once each, oldest first.
    const arrived = receiver.ids().filter((id) => during.includes(id));
    expect(arrived).toEqual([...during].reverse());
  }, 120_000);

  test('entries dropped from status before the sink took them are counted and warned about, never silently', async () => {
    const ns = await freshNamespace(kc, 'sink-dropped');
    await basics(ns);
    await receiver.down();
    const metricsUrl = `http://127.0.0.1:${await freePort()}`;
    operator = await runOperator(ns, {
      args: [
        '--audit-sink',
        receiver.url,
        '--audit-sink-retry-max-delay',
        '1s',
        '--history-limit',
        '3',
        '--metrics-addr',
        metricsUrl.slice('http://'.length),
      ],
    });
    try {
      for (const version of ['1.1.0', '1.2.0', '1.3.0']) {
        setVersion(ns, version);
        await eventually(
          `dev desires ${version} with the sink down`,
          async () => envStatus(await k.app(ns, 'core'), 'dev')?.desired === version,
        );
      }
      const event = await eventually('a Warning names the entries dropped unsent', async () => {
        const events = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: ns });
        return events.items.find((e) => e.reason === 'HistoryDroppedUnsent' && e.regarding?.name === 'core');
      });
      expect(event.type).toBe('Warning');
      expect(event.note).toMatch(/--history-limit\) before the audit sink took them: [0-9a-f]{20}/);
      const samples = await scrape(metricsUrl);
      expect(sum(samples, 'depot_history_dropped_unsent_total')).toBeGreaterThan(0);
      expect(sum(samples, 'depot_audit_sink_events_total', { outcome: 'failed' })).toBeGreaterThan(0);
      expect(sum(samples, 'depot_audit_sink_pending_entries')).toBe(3);
    } finally {
      await receiver.up();
    }
    // What is still in status arrives.
    await eventually('the entries still in status arrive', async () =>
      historyIds(await k.app(ns, 'core')).every((id) => receiver.ids().includes(id)),
    );
  }, 120_000);
});
