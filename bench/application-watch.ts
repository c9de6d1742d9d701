// Follows the Applications of a namespace with one LIST and a WATCH (no list
// polling, which would load the API server being measured), keeping a small
// summary per Application, and tells waiters when the Applications they wait
// for satisfy a condition, with the time each one did.
import { Watch } from '@kubernetes/client-node';
import { DEPOT_GROUP, DEPOT_VERSION, type BenchClient, type DepotObject } from './bench-client.js';
import { summarize, type AppSummary } from './convergence.js';

export interface WaitResult {
  /** Every Application satisfied the condition before the deadline. */
  done: boolean;
  satisfied: number;
  total: number;
  /** Milliseconds from the call to the end of the wait (the last one satisfied, or the deadline). */
  elapsedMs: number;
  /** When each satisfied Application was first seen satisfying it (epoch ms). */
  times: Map<string, number>;
}

type Condition = (name: string, app: AppSummary) => boolean;

interface Waiter {
  pending: Set<string>;
  condition: Condition;
  times: Map<string, number>;
  finish: (done: boolean) => void;
}

export class ApplicationWatch {
  private readonly apps = new Map<string, AppSummary>();
  private readonly waiters = new Set<Waiter>();
  private controller?: AbortController;
  private resourceVersion = '';
  private stopped = false;
  private relistNeeded = false;
  /** Times the watch ended and was started again (the API server closes watches now and then). */
  restarts = 0;

  constructor(
    private readonly client: BenchClient,
    readonly namespace: string,
    private readonly log: (line: string) => void = () => {},
  ) {}

  async start(): Promise<void> {
    await this.relist();
    await this.watch();
  }

  stop(): void {
    this.stopped = true;
    this.controller?.abort();
    for (const w of [...this.waiters]) w.finish(false);
  }

  get(name: string): AppSummary | undefined {
    return this.apps.get(name);
  }

  get size(): number {
    return this.apps.size;
  }

  /** How many of the names satisfy the condition now. */
  count(names: readonly string[], condition: Condition): number {
    let n = 0;
    for (const name of names) {
      const app = this.apps.get(name);
      if (app && condition(name, app)) n++;
    }
    return n;
  }

  /**
   * Resolves when every named Application has satisfied the condition, or at
   * the deadline (epoch ms) with how many did; rejects when the signal aborts.
   */
  wait(
    names: readonly string[],
    condition: Condition,
    deadline: number,
    signal?: AbortSignal,
  ): Promise<WaitResult> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        pending: new Set(names),
        condition,
        times: new Map(),
        finish: (done) => {
          if (!this.waiters.delete(waiter)) return;
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          if (signal?.aborted) return reject(new Error('interrupted'));
          let last = started;
          for (const t of waiter.times.values()) last = Math.max(last, t);
          resolve({
            done,
            satisfied: waiter.times.size,
            total: names.length,
            elapsedMs: (done ? last : Date.now()) - started,
            times: waiter.times,
          });
        },
      };
      const onAbort = () => waiter.finish(false);
      const timer = setTimeout(() => waiter.finish(false), Math.max(0, deadline - Date.now()));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
      for (const name of names) this.check(waiter, name);
      if (waiter.pending.size === 0) waiter.finish(true);
    });
  }

  private check(waiter: Waiter, name: string): void {
    if (!waiter.pending.has(name)) return;
    const app = this.apps.get(name);
    if (!app || !waiter.condition(name, app)) return;
    waiter.pending.delete(name);
    waiter.times.set(name, Date.now());
  }

  private changed(name: string): void {
    for (const w of [...this.waiters]) {
      this.check(w, name);
      if (w.pending.size === 0) w.finish(true);
    }
  }

  private async relist(): Promise<void> {
    const { items, resourceVersion } = await this.client.list('applications', this.namespace);
    this.apps.clear();
    for (const app of items) this.apps.set(app.metadata.name, summarize(app));
    this.resourceVersion = resourceVersion;
    this.relistNeeded = false;
    for (const name of this.apps.keys()) this.changed(name);
  }

  private async watch(): Promise<void> {
    const path = `/apis/${DEPOT_GROUP}/${DEPOT_VERSION}/namespaces/${this.namespace}/applications`;
    this.client.count('WATCH', 'applications');
    try {
      this.controller = await new Watch(this.client.kc).watch(
        path,
        { resourceVersion: this.resourceVersion, allowWatchBookmarks: true },
        (phase: string, obj: DepotObject) => this.onEvent(phase, obj),
        (err: unknown) => this.restart(err),
      );
    } catch (err) {
      this.restart(err);
    }
  }

  private onEvent(phase: string, obj: DepotObject): void {
    if (phase === 'ERROR') {
      // Usually 410 Gone: the resourceVersion is too old; list again.
      this.relistNeeded = true;
      this.controller?.abort();
      return;
    }
    const rv = obj?.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (phase === 'BOOKMARK') return;
    const name = obj.metadata.name;
    if (phase === 'DELETED') this.apps.delete(name);
    else {
      this.apps.set(name, summarize(obj));
      this.changed(name);
    }
  }

  private restart(err: unknown): void {
    if (this.stopped) return;
    this.restarts++;
    // client-node ends a watch after 30 s without events (TimeoutError): watch
    // again from the last resourceVersion. List again only when the watch
    // said the version is gone (an ERROR event) or the server refused it.
    const timedOut = (err as { name?: string } | null)?.name === 'TimeoutError';
    const refused = typeof (err as { statusCode?: unknown } | null)?.statusCode === 'number';
    if (err && !timedOut)
      this.log(`watch of Applications in ${this.namespace} ended (${String(err)}); starting again`);
    setTimeout(
      () => {
        if (this.stopped) return;
        const again = this.relistNeeded || refused ? this.relist().then(() => this.watch()) : this.watch();
        again.catch((e: unknown) => this.restart(e));
      },
      timedOut || !err ? 0 : 500,
    ).unref();
  }
}
