import { ProviderError, type StorageProvider } from '@nimbus/kernel';

export interface ThrottleMask {
  /** Every `every`-th request of the connection is refused as throttled (deterministic, no seed needed). */
  readonly every: number;
  /** The Retry-After the refusal carries; none when undefined (the pacer then backs off on its own). */
  readonly retryAfterSeconds?: number;
}

/** What a throttled provider counts, for the test to check against. */
export interface ThrottleRecord {
  /** Requests made through the mask (throttled ones included). */
  requests: number;
  /** Requests refused as throttled, with when they were refused (Date.now() ms). */
  readonly throttledAt: number[];
}

const OPERATIONS = [
  'list', 'stat', 'read', 'write', 'delete', 'copy', 'move', 'setMtime', 'setMetadata', 'makeFolder', 'removeFolder',
  'listVersions', 'readVersion', 'deleteVersion', 'requestRestore', 'listBuckets', 'createBucket', 'cleanupIncomplete',
] as const satisfies readonly (keyof StorageProvider)[];

/**
 * Wrap `provider` so that a share of its requests is refused as a rate-limited account's
 * would be (ProviderError 'throttled' with the Retry-After given), before reaching the inner
 * provider: nothing is written by a refused request. Lets engine tests run under throttling
 * without a server; the fault-injection proxy does the same on the wire.
 */
export function maskThrottling(provider: StorageProvider, mask: ThrottleMask): { provider: StorageProvider; record: ThrottleRecord } {
  if (!(mask.every >= 1)) throw new RangeError(`every must be 1 or more, got ${mask.every}`);
  const record: ThrottleRecord = { requests: 0, throttledAt: [] };
  const refuse = (): void => {
    record.requests++;
    if (record.requests % mask.every !== 0) return;
    record.throttledAt.push(Date.now());
    throw new ProviderError('throttled', 'HTTP 429 Too Many Requests (throttle mask)', mask.retryAfterSeconds !== undefined ? { retryAfterSeconds: mask.retryAfterSeconds } : {});
  };
  const wrapped = Object.create(provider) as Record<string, unknown>;
  for (const name of OPERATIONS) {
    const operation = provider[name] as ((...args: unknown[]) => unknown) | undefined;
    if (typeof operation !== 'function') continue;
    if (name === 'list') {
      wrapped[name] = async function* (...args: unknown[]) {
        // Each page is one request of the service.
        const pages = (operation.apply(provider, args) as AsyncIterable<unknown>)[Symbol.asyncIterator]();
        for (;;) {
          refuse();
          const page = await pages.next();
          if (page.done) return;
          yield page.value;
        }
      };
    } else {
      wrapped[name] = async (...args: unknown[]) => {
        refuse();
        return operation.apply(provider, args);
      };
    }
  }
  return { provider: wrapped as unknown as StorageProvider, record };
}
