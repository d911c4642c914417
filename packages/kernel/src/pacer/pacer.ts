import { isProviderError } from '../errors/nimbus-error.js';

export interface PacerOptions {
  /** Requests per second for the whole connection (token bucket); default unlimited. */
  readonly requestsPerSecond?: number;
  /** Requests that may go at once after a quiet spell; default one second's worth. */
  readonly burst?: number;
  /** First pause after a throttle that gave no Retry-After; doubles (with jitter) while throttles follow each other. */
  readonly minBackoffMs?: number;
  /** Longest pause, whatever the service asked for (a broken Retry-After must not stall a run for hours). */
  readonly maxPauseMs?: number;
  /** Longest pause Nimbus chooses itself when the service gave no Retry-After. */
  readonly maxBackoffMs?: number;
}

/** What a plugin sees of the pacer (through its connect context). */
export interface RequestPacer {
  /**
   * Run one request of the connection: waits while the connection is paused or out of tokens,
   * and when the request fails `throttled`, pauses the whole connection before rethrowing.
   * It does not retry: the kernel's retry is the one retry layer. `request` must fail with
   * the plugin's classified ProviderError (map inside it), or the pacer cannot see a throttle.
   */
  call<T>(request: () => Promise<T>): Promise<T>;
}

const DEFAULT_MIN_BACKOFF_MS = 1000;
const DEFAULT_MAX_PAUSE_MS = 5 * 60_000;
// Without a Retry-After the service said nothing of how long: back off, but keep probing every
// half minute at most, as a long run of throttles on one path would otherwise pause the run for hours.
const DEFAULT_MAX_BACKOFF_MS = 30_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One per account connection, shared by every transfer of the run. Rate limits apply to the
 * whole account, so when the service throttles one request every request of the run waits
 * (until the Retry-After it gave, else an exponential backoff with jitter) instead of each
 * task backing off alone and the others carrying on at full speed into more 429s. Requests
 * already in flight when a throttle arrives are not recalled; new ones wait.
 */
export class Pacer implements RequestPacer {
  private pausedUntil = 0;
  private throttlesInARow = 0;
  private readonly interval: number;
  private readonly burst: number;
  private tokens: number;
  private refilledAt = Date.now();
  private readonly minBackoffMs: number;
  private readonly maxPauseMs: number;
  private readonly maxBackoffMs: number;

  constructor(options: PacerOptions = {}) {
    const rate = options.requestsPerSecond;
    if (rate !== undefined && !(rate > 0)) throw new RangeError(`requestsPerSecond must be above 0, got ${rate}`);
    this.interval = rate === undefined ? 0 : 1000 / rate;
    this.burst = Math.max(1, options.burst ?? Math.ceil(rate ?? 1));
    this.tokens = this.burst;
    this.minBackoffMs = options.minBackoffMs ?? DEFAULT_MIN_BACKOFF_MS;
    this.maxPauseMs = options.maxPauseMs ?? DEFAULT_MAX_PAUSE_MS;
    this.maxBackoffMs = options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
  }

  async call<T>(request: () => Promise<T>): Promise<T> {
    // Nothing to wait for (the usual case) costs no timer and no extra turn.
    if (this.pausedUntil > Date.now() || this.interval > 0) await this.ready();
    try {
      const result = await request();
      this.throttlesInARow = 0;
      return result;
    } catch (error) {
      this.observe(error);
      throw error;
    }
  }

  /** Resolves when a new request of the connection may go. */
  async ready(): Promise<void> {
    for (;;) {
      const now = Date.now();
      if (this.pausedUntil > now) {
        await sleep(this.pausedUntil - now);
        continue;
      }
      if (this.interval === 0) return;
      this.refill(now);
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await sleep(Math.ceil((1 - this.tokens) * this.interval));
    }
  }

  /** Pause the connection if `error` says the service is throttling it. */
  observe(error: unknown): void {
    if (!isProviderError(error, 'throttled')) return;
    this.throttlesInARow++;
    const asked = error.retryAfterSeconds;
    const pause = asked !== undefined ? asked * 1000 : Math.min(this.minBackoffMs * 2 ** Math.min(this.throttlesInARow - 1, 16) * (0.5 + Math.random()), this.maxBackoffMs);
    this.pauseFor(pause);
  }

  /** Hold every new request of the connection for `ms` (a longer pause already running wins). */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + Math.min(Math.max(0, ms), this.maxPauseMs));
  }

  /** Milliseconds left of the current pause (0 when requests may go). */
  get pausedFor(): number {
    return Math.max(0, this.pausedUntil - Date.now());
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + (now - this.refilledAt) / this.interval);
    this.refilledAt = now;
  }
}
