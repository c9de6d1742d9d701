// Client-side token bucket for API requests (client-go's --kube-api-qps /
// --kube-api-burst): `burst` requests may go at once, then `qps` per second.
// Reservations are granted in call order, so a waiting caller is never
// overtaken by a later one.
import type { Clock } from './clock.js';

export interface RateLimiterOptions {
  /** Tokens added per second; 0 or less disables the limit. */
  qps: number;
  /** Bucket size: how many requests may go without waiting. */
  burst: number;
}

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly opts: RateLimiterOptions,
    private readonly clock: Clock,
  ) {
    this.tokens = Math.max(1, opts.burst);
    this.updatedAt = clock.now();
  }

  get unlimited(): boolean {
    return !(this.opts.qps > 0);
  }

  /** Takes one token and returns how long the caller must wait before using it. */
  reserve(): number {
    if (this.unlimited) return 0;
    const now = this.clock.now();
    const burst = Math.max(1, this.opts.burst);
    this.tokens = Math.min(burst, this.tokens + ((now - this.updatedAt) / 1000) * this.opts.qps);
    this.updatedAt = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.opts.qps) * 1000);
  }

  /** Takes a token if one is free now; otherwise takes nothing and answers false (for shedding load). */
  tryTake(): boolean {
    if (this.unlimited) return true;
    const now = this.clock.now();
    this.tokens = Math.min(
      Math.max(1, this.opts.burst),
      this.tokens + ((now - this.updatedAt) / 1000) * this.opts.qps,
    );
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Waits for a token. */
  async acquire(signal?: AbortSignal): Promise<void> {
    const wait = this.reserve();
    if (wait > 0) await this.clock.sleep(wait, signal);
  }
}
