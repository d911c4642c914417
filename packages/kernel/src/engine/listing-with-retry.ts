import type { RemoteEntry } from '../provider/remote-entry.js';
import type { ListOptions, StorageProvider } from '../provider/storage-provider.js';
import { backOff, DEFAULT_RETRY, isTransient, throttleAllowance, type RetryPolicy } from './retry.js';

/**
 * A provider's listing, pages as they come, surviving transient failures (429, 5xx, resets)
 * of any page request: a listing cannot be resumed from outside the provider, so it starts
 * again after a back-off and skips the entries already handed out. Listings come in a stable
 * order; if the restarted one disagrees at the point where it left off (the destination
 * changed meanwhile), everything is handed out again: callers treat entries as facts to
 * record, so a repeat is harmless where a gap would not be.
 */
export async function* listWithRetry(
  provider: StorageProvider,
  dir: string,
  options: ListOptions = {},
  policy: RetryPolicy = DEFAULT_RETRY,
): AsyncIterable<RemoteEntry[]> {
  let handedOut = 0;
  let lastPath: string | undefined;
  let failures = 0;
  const consumesRetry = throttleAllowance();
  for (;;) {
    let skip = handedOut;
    let moved = false;
    try {
      for await (const page of provider.list(dir, options)) {
        let fresh = page;
        if (skip > 0) {
          const skipped = page.slice(0, skip);
          fresh = page.slice(skip);
          skip -= skipped.length;
          if (skip === 0 && skipped[skipped.length - 1]?.path !== lastPath) {
            moved = true;
            break;
          }
        }
        if (fresh.length === 0) continue;
        handedOut += fresh.length;
        lastPath = fresh[fresh.length - 1]!.path;
        failures = 0;
        yield fresh;
      }
      if (!moved && skip === 0) return;
      // The listing moved under us (or got shorter): hand everything out again from the start.
      handedOut = 0;
      lastPath = undefined;
    } catch (error) {
      if (!isTransient(error)) throw error;
      if (consumesRetry(error) && ++failures > policy.retries) throw error;
      await backOff(error, Math.max(1, failures), policy);
    }
  }
}
