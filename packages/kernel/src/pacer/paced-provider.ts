import type { Readable } from 'node:stream';
import type { RemoteEntry } from '../provider/remote-entry.js';
import type { ListOptions, ReadOptions, StorageProvider, WriteOptions } from '../provider/storage-provider.js';
import type { Pacer } from './pacer.js';

/** Optional operations that are one call each: paced as a whole when the provider has them. */
const PACED_OPTIONAL = [
  'copy', 'move', 'setMtime', 'setMetadata', 'makeFolder', 'removeFolder', 'listVersions', 'readVersion',
  'deleteVersion', 'requestRestore', 'listBuckets', 'createBucket', 'cleanupIncomplete',
] as const satisfies readonly (keyof StorageProvider)[];

/**
 * The provider as the engines see it: every operation (each page of a listing, the opening of
 * a read) goes through the connection's pacer, so a throttle seen by one transfer holds them
 * all. Optional operations exist exactly when the inner provider has them, so `supports()`
 * answers as before.
 */
export function pacedProvider(inner: StorageProvider, pacer: Pacer): StorageProvider {
  const paced: Record<string, unknown> = {
    get capabilities() {
      return inner.capabilities;
    },
    async *list(dir: string, options?: ListOptions): AsyncIterable<RemoteEntry[]> {
      const pages = inner.list(dir, options)[Symbol.asyncIterator]();
      let finished = false;
      try {
        for (;;) {
          const page = await pacer.call(() => pages.next());
          if (page.done) {
            finished = true;
            return;
          }
          yield page.value;
        }
      } finally {
        if (!finished) await pages.return?.();
      }
    },
    stat: (path: string) => pacer.call(() => inner.stat(path)),
    read: (path: string, options?: ReadOptions): Promise<Readable> => pacer.call(() => inner.read(path, options)),
    write: (path: string, body: Readable, options?: WriteOptions) =>
      // A chunked upload is many requests: its parts, begin and commit each go through the pacer
      // inside uploadInParts (WriteOptions.pacer). Pacing the write as a whole as well would take
      // two tokens of the rate for its first request, and a pause after a throttled part would
      // hold nothing the inner pacing does not already hold; and a throttle the write finally
      // failed with would pause the connection twice. So such a write is paced once, per request.
      inner.capabilities.chunkedUpload ? inner.write(path, body, { ...options, pacer }) : pacer.call(() => inner.write(path, body, options)),
    delete: (path: string) => pacer.call(() => inner.delete(path)),
  };
  for (const name of PACED_OPTIONAL) {
    const operation = inner[name] as ((...args: unknown[]) => Promise<unknown>) | undefined;
    if (typeof operation === 'function') paced[name] = (...args: unknown[]) => pacer.call(() => operation.apply(inner, args));
  }
  if (typeof inner.close === 'function') paced.close = () => inner.close!();
  return paced as unknown as StorageProvider;
}
