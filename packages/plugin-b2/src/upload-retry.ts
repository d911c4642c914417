import { setTimeout as sleep } from 'node:timers/promises';
import { B2ApiError, isRetryableUploadError } from './b2-errors.js';

/** Tries per upload or part before giving up: B2's upload guide recommends five upload URLs. */
export const UPLOAD_ATTEMPTS = 5;
/** Longest Retry-After the plugin waits for inside one upload; longer waits go to the kernel's retry. */
const MAX_WAIT_MS = 60_000;

/**
 * Run one upload attempt after another (each on a fresh upload URL) while the failure is
 * one B2 says to retry: a refused upload token, 408, 429, 5xx, a dropped connection.
 * Retry-After is honoured; otherwise the wait grows from 100 ms.
 */
export async function withUploadRetries<T>(signal: AbortSignal | undefined, attempt: (n: number) => Promise<T>, attempts = UPLOAD_ATTEMPTS): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (n >= attempts || signal?.aborted || !isRetryableUploadError(error)) throw error;
      const retryAfter = error instanceof B2ApiError ? error.retryAfterSeconds : undefined;
      const wait = retryAfter !== undefined ? Math.min(MAX_WAIT_MS, retryAfter * 1000) : Math.min(5000, 100 * 2 ** (n - 1));
      await sleep(wait, undefined, signal ? { signal } : {});
    }
  }
}
