// Follows one named object with a GET and a WATCH (fieldSelector on its name),
// and tells waiters when it was first seen satisfying a condition: the
// harness's clock on each watch event, in milliseconds (the timestamps objects
// carry, managedFields and Argo CD's operationState, have whole seconds only).
import { Watch } from '@kubernetes/client-node';
import type { BenchClient } from './bench-client.js';

export interface WatchedResource {
  group: string;
  version: string;
  plural: string;
  namespace: string;
  name: string;
}

export interface Seen<T> {
  /** Epoch ms the harness first saw the object satisfy the condition. */
  at: number;
  object: T;
}

interface Waiter<T> {
  condition: (o: T) => boolean;
  finish: (seen: Seen<T> | undefined) => void;
}

interface Watched {
  metadata?: { resourceVersion?: string };
}

export class ObjectWatch<T extends Watched> {
  private latest?: T;
  private readonly waiters = new Set<Waiter<T>>();
  private controller?: AbortController;
  private stopped = false;
  /** Times the watch ended and was started again. */
  restarts = 0;

  constructor(
    private readonly client: BenchClient,
    private readonly r: WatchedResource,
  ) {}

  private get path(): string {
    const base = this.r.group ? `/apis/${this.r.group}/${this.r.version}` : `/api/${this.r.version}`;
    return `${base}/namespaces/${this.r.namespace}/${this.r.plural}`;
  }

  async start(): Promise<void> {
    await this.read();
    await this.watch();
  }

  stop(): void {
    this.stopped = true;
    this.controller?.abort();
    for (const w of [...this.waiters]) w.finish(undefined);
  }

  /** The object as last seen. */
  get current(): T | undefined {
    return this.latest;
  }

  /** The first time (from now on) the object satisfies `condition`; undefined at the deadline. */
  until(condition: (o: T) => boolean, deadline: number, signal?: AbortSignal): Promise<Seen<T> | undefined> {
    return new Promise((resolve) => {
      const waiter: Waiter<T> = {
        condition,
        finish: (seen) => {
          if (!this.waiters.delete(waiter)) return;
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(seen);
        },
      };
      const onAbort = () => waiter.finish(undefined);
      const timer = setTimeout(() => waiter.finish(undefined), Math.max(0, deadline - Date.now()));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
      if (this.latest && condition(this.latest)) waiter.finish({ at: Date.now(), object: this.latest });
    });
  }

  private see(o: T): void {
    this.latest = o;
    const at = Date.now();
    for (const w of [...this.waiters]) if (w.condition(o)) w.finish({ at, object: o });
  }

  private async read(): Promise<void> {
    this.client.count('GET', this.r.plural, '', this.r.group);
    const o = (await this.client.custom.getNamespacedCustomObject({
      group: this.r.group,
      version: this.r.version,
      plural: this.r.plural,
      namespace: this.r.namespace,
      name: this.r.name,
    })) as T;
    this.see(o);
  }

  private async watch(): Promise<void> {
    if (this.stopped) return;
    this.client.count('WATCH', this.r.plural, '', this.r.group);
    this.controller = await new Watch(this.client.kc).watch(
      this.path,
      {
        fieldSelector: `metadata.name=${this.r.name}`,
        resourceVersion: this.latest?.metadata?.resourceVersion,
        allowWatchBookmarks: true,
      },
      (phase: string, o: T) => {
        if (phase === 'ADDED' || phase === 'MODIFIED') this.see(o);
      },
      () => {
        // Ended (a timeout, the server): read it again and watch from there.
        if (this.stopped) return;
        this.restarts++;
        setTimeout(
          () =>
            void this.read()
              .then(() => this.watch())
              .catch(() => undefined),
          200,
        ).unref();
      },
    );
  }
}
