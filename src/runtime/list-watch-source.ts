// One client-node ListWatch (one namespace, or all) kept alive: ListWatch stops
// for good on any error but 410 Gone and watch timeouts, so this restarts it
// with capped, jittered exponential backoff from the last resourceVersion (a
// 410 then makes ListWatch relist).
import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { ListWatch } from '../kube/client-node.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import type { Clock, TimerHandle } from '../kube/clock.js';
import { apiErrorMessage } from '../kube/errors.js';
import type { GuardedWatch } from './guarded-watch.js';
import type { Logger } from './log.js';

export type ObjectEventType = 'add' | 'update' | 'delete';

/** The part of ListWatch this module uses (a seam for unit tests). */
export interface ListWatchLike<T> {
  on(verb: 'add' | 'update' | 'delete', cb: (obj: T) => void): void;
  on(verb: 'error' | 'connect', cb: (err?: unknown) => void): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  get(name: string, namespace?: string): T | undefined;
  list(namespace?: string): ReadonlyArray<T>;
}

export interface ListWatchSourceOptions<T extends KubernetesObject> {
  path: string;
  watch: GuardedWatch;
  list: () => Promise<KubernetesListObject<T>>;
  labelSelector?: string;
  fieldSelector?: string;
  clock: Clock;
  log: Logger;
  backoff: BackoffOptions;
  onEvent: (type: ObjectEventType, obj: T) => void;
  /** Called before a fresh list replaces the cache (first sync and every relist). */
  onRelist: () => void;
  onSynced: () => void;
  onRestart: () => void;
  makeListWatch?: (
    opts: ListWatchSourceOptions<T>,
    list: () => Promise<KubernetesListObject<T>>,
  ) => ListWatchLike<T>;
}

export class ListWatchSource<T extends KubernetesObject> {
  readonly lw: ListWatchLike<T>;
  private synced = false;
  private stopped = false;
  private failures = 0;
  private attemptFailed = false;
  private restartTimer: TimerHandle | undefined;

  constructor(private readonly opts: ListWatchSourceOptions<T>) {
    const list = async () => {
      const result = await opts.list();
      opts.onRelist();
      return result;
    };
    this.lw = opts.makeListWatch
      ? opts.makeListWatch(opts, list)
      : new ListWatch<T>(opts.path, opts.watch, list, false, opts.labelSelector, opts.fieldSelector);
    this.lw.on('add', (obj: T) => opts.onEvent('add', obj));
    this.lw.on('update', (obj: T) => opts.onEvent('update', obj));
    this.lw.on('delete', (obj: T) => opts.onEvent('delete', obj));
    this.lw.on('error', (err?: unknown) => this.failed(err));
  }

  hasSynced(): boolean {
    return this.synced;
  }

  start(): void {
    this.stopped = false;
    void this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.restartTimer?.cancel();
    this.restartTimer = undefined;
    this.opts.watch.stop();
    await this.lw.stop();
  }

  private async run(): Promise<void> {
    if (this.stopped) return;
    this.attemptFailed = false;
    try {
      await this.lw.start();
    } catch (err) {
      this.failed(err);
      return;
    }
    if (this.attemptFailed || this.stopped) return;
    this.failures = 0;
    if (!this.synced) {
      this.synced = true;
      this.opts.onSynced();
    }
  }

  private failed(err: unknown): void {
    if (this.stopped) return;
    this.attemptFailed = true;
    if (this.restartTimer) return;
    const delay = backoffDelay(this.failures++, this.opts.backoff);
    this.opts.log.warn(
      { path: this.opts.path, err: apiErrorMessage(err), retryInMs: delay, failures: this.failures },
      'list/watch stopped; restarting',
    );
    this.restartTimer = this.opts.clock.setTimer(() => {
      this.restartTimer = undefined;
      this.opts.onRestart();
      void this.run();
    }, delay);
  }
}
