// The keyed work queue behind every controller (client-go's workqueue): a key
// waits at most once and is handed to one worker at a time (added again while
// held, it is handed out after done()); per-key exponential backoff, reset by
// forget(); addAfter keeps the earliest time, an immediate add beats it, and a
// worker taking the key drops it (the reconcile says anew when to run).
import { backoffDelay, type BackoffOptions } from './backoff.js';
import type { Clock, TimerHandle } from '../kube/clock.js';

export interface QueueObserver {
  depth(ready: number, delayed: number): void;
  added(): void;
  retried(): void;
  /** How long a key waited between being added and a worker taking it. */
  waited(ms: number): void;
}

export interface WorkQueueOptions {
  clock: Clock;
  /** Backoff after failures: base doubles per consecutive failure of a key, up to max. */
  backoff: BackoffOptions;
  observer?: QueueObserver;
}

export class WorkQueue {
  private readonly ready: string[] = [];
  /** Keys that need a run: waiting in `ready`, or being processed and added again. */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly delayed = new Map<string, number>();
  private readonly addedAt = new Map<string, number>();
  private readonly failures = new Map<string, number>();
  private waiters: Array<(key: string | undefined) => void> = [];
  private idleWaiters: Array<() => void> = [];
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;
  private shuttingDown = false;

  constructor(private readonly opts: WorkQueueOptions) {}

  /** Queues the key now (deduplicated). */
  add(key: string): void {
    if (this.shuttingDown) return;
    if (!this.processing.has(key)) this.delayed.delete(key);
    if (this.dirty.has(key)) return;
    this.dirty.add(key);
    this.addedAt.set(key, this.opts.clock.now());
    this.opts.observer?.added();
    if (!this.processing.has(key)) {
      this.ready.push(key);
      this.pump();
    }
    this.report();
  }

  /** Queues the key after ms; if it already has an earlier time (or is queued), that one wins. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const at = this.opts.clock.now() + ms;
    const existing = this.delayed.get(key);
    if (existing !== undefined && existing <= at) return;
    this.delayed.set(key, at);
    if (at < this.timerAt) this.schedule(at);
    this.report();
  }

  /** Queues the key after its backoff delay and returns that delay. */
  addRateLimited(key: string): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    const delay = backoffDelay(failures, this.opts.backoff);
    this.opts.observer?.retried();
    this.addAfter(key, delay);
    return delay;
  }

  /** Resets the key's backoff (after a successful reconcile). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Consecutive failures of the key since its last forget(). */
  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** The next key to process; undefined once the queue shuts down. */
  get(): Promise<string | undefined> {
    if (this.ready.length > 0) return Promise.resolve(this.take());
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks the key processed; if it was added meanwhile, it waits again. */
  done(key: string): void {
    if (!this.processing.delete(key)) return;
    if (this.dirty.has(key) && !this.shuttingDown) {
      this.ready.push(key);
      this.pump();
    }
    if (this.processing.size === 0) {
      for (const idle of this.idleWaiters.splice(0)) idle();
    }
    this.report();
  }

  /** Keys waiting for a worker now. */
  len(): number {
    return this.ready.length;
  }

  /** Keys waiting for a time. */
  delayedLen(): number {
    return this.delayed.size;
  }

  /** When the key is due, if it waits for a time. */
  dueAt(key: string): number | undefined {
    return this.delayed.get(key);
  }

  isProcessing(key: string): boolean {
    return this.processing.has(key);
  }

  /** Stops handing out keys: waiting workers get undefined, queued and delayed keys are dropped. */
  shutDown(): void {
    this.shuttingDown = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.timerAt = Infinity;
    this.delayed.clear();
    this.ready.length = 0;
    this.dirty.clear();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
    this.report();
  }

  get isShutDown(): boolean {
    return this.shuttingDown;
  }

  /** Resolves when no key is being processed. */
  idle(): Promise<void> {
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private take(): string {
    const key = this.ready.shift()!;
    this.dirty.delete(key);
    this.processing.add(key);
    this.delayed.delete(key);
    const added = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (added !== undefined) this.opts.observer?.waited(this.opts.clock.now() - added);
    this.report();
    return key;
  }

  private pump(): void {
    while (this.waiters.length > 0 && this.ready.length > 0) this.waiters.shift()!(this.take());
  }

  private schedule(at: number): void {
    this.timer?.cancel();
    this.timerAt = at;
    this.timer = this.opts.clock.setTimer(() => this.fire(), at - this.opts.clock.now());
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.opts.clock.now();
    const due = [...this.delayed].filter(([, at]) => at <= now).sort((a, b) => a[1] - b[1]);
    for (const [key] of due) {
      this.delayed.delete(key);
      this.add(key);
    }
    let next = Infinity;
    for (const at of this.delayed.values()) next = Math.min(next, at);
    if (next < Infinity && !this.shuttingDown) this.schedule(next);
    this.report();
  }

  private report(): void {
    this.opts.observer?.depth(this.ready.length, this.delayed.size);
  }
}
