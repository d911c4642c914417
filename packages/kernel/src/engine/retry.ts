import pRetry, { AbortError } from 'p-retry';
import { isProviderError } from '../errors/nimbus-error.js';

export interface RetryPolicy {
  /** Attempts after the first. */
  readonly retries: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 5, minDelayMs: 250, maxDelayMs: 30_000 };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Waits before another try after `failures` failures in a row: exponential with jitter,
 * at least the Retry-After the service sent, never more than the policy's cap.
 */
export function backOff(error: unknown, failures: number, policy: RetryPolicy): Promise<void> {
  const after = isProviderError(error) ? error.retryAfterSeconds : undefined;
  const exponential = policy.minDelayMs * 2 ** (failures - 1) * (1 + Math.random());
  return sleep(Math.min(after !== undefined ? Math.max(after * 1000, exponential) : exponential, policy.maxDelayMs));
}

/** Node/network error codes worth another try. */
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'ECONNABORTED']);

/** Worth another try: a transient failure, or a throttle (the connection's pacer holds the retry until the service's wait is over). */
export function isTransient(error: unknown): boolean {
  if (isProviderError(error)) return error.kind === 'transient' || error.kind === 'throttled';
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && TRANSIENT_CODES.has(code);
}

/**
 * The one retry layer of a request: SDKs are configured not to retry, and plugins retry only
 * what they alone can (a fresh upload URL, a new token), so attempts never multiply.
 * Run `attempt` again on transient failures with exponential backoff and jitter, capped,
 * waiting at least as long as a Retry-After the service sent. Other errors fail at once.
 */
export async function withRetry<T>(attempt: () => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY): Promise<T> {
  const consumesRetry = throttleAllowance();
  let budget = policy.retries;
  // The first attempt goes straight: the retry machinery costs more than a small upload.
  try {
    return await attempt();
  } catch (error) {
    if (!isTransient(error) || policy.retries === 0) throw error;
    if (consumesRetry(error)) budget--;
    await backOff(error, 1, policy);
  }
  return pRetry(
    async () => {
      try {
        return await attempt();
      } catch (error) {
        if (!isTransient(error)) throw new AbortError(error as Error);
        throw error;
      }
    },
    {
      retries: budget,
      minTimeout: policy.minDelayMs,
      maxTimeout: policy.maxDelayMs,
      factor: 2,
      randomize: true,
      onFailedAttempt: async ({ error }) => {
        const after = isProviderError(error) ? error.retryAfterSeconds : undefined;
        if (after !== undefined) await sleep(Math.min(after * 1000, policy.maxDelayMs));
      },
      shouldConsumeRetry: ({ error }) => consumesRetry(error),
    },
  );
}

/** Throttles one request may meet without using up its retries (see throttleAllowance). */
// As many as rclone's default low-level retries: one path a service throttles without end
// (the pacer pausing the whole run each time) must fail in minutes, not hold the run for hours.
export const MAX_FREE_THROTTLES = 10;

/**
 * Whether a failure uses up one of the policy's retries. Throttles do not, up to
 * MAX_FREE_THROTTLES per request: they say the account is busy, not that this request is
 * broken, and the connection's pacer already slows the whole run down; counting them would
 * fail files of a run that is merely being paced. Past the allowance they count, so a service
 * that never lets up cannot hold a file forever.
 */
export function throttleAllowance(): (error: unknown) => boolean {
  let throttles = 0;
  return (error) => !isProviderError(error, 'throttled') || ++throttles > MAX_FREE_THROTTLES;
}
