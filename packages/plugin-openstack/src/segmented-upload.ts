import { ProviderError } from '@nimbus/kernel/plugin';
import { createHash, randomUUID } from 'node:crypto';
import type { ChunkReader } from './chunk-reader.js';
import { segmentName, type LargeObjects, type ManifestSegment } from './large-objects.js';
import type { SwiftClient } from './swift/swift-client.js';

export interface SegmentedUploadOptions {
  readonly segmentsContainer: string;
  /** Object-name prefix of the segments: the file's folder below the root, e.g. 'backup/docs/'. */
  readonly segmentFolder: string;
  readonly segmentSize: number;
  readonly concurrency: number;
  readonly maxSegments: number;
  readonly signal?: AbortSignal;
}

/**
 * Uploads a stream as numbered segments, several at once, each checked by its MD5 (ETag).
 * Resolves with the manifest to commit; nothing is visible at the file's path until the
 * caller PUTs it. On failure or abort every segment sent so far is deleted, including those
 * whose answer never came (best effort; cleanupIncomplete removes any that remain).
 */
export async function uploadSegments(client: SwiftClient, largeObjects: LargeObjects, reader: ChunkReader, o: SegmentedUploadOptions): Promise<ManifestSegment[]> {
  const guid = randomUUID().toUpperCase();
  const segments: ManifestSegment[] = [];
  // Every segment a PUT was sent for, answered or not: one stored whose answer was lost must go too.
  const attempted: ManifestSegment[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;

  const sendSegment = async (part: number, data: Buffer): Promise<void> => {
    const name = segmentName(o.segmentFolder, guid, part);
    const etag = createHash('md5').update(data).digest('hex');
    attempted.push({ path: `/${o.segmentsContainer}/${name}`, etag, size_bytes: data.length });
    await client.call({
      method: 'PUT', container: o.segmentsContainer, object: name, body: data,
      headers: { ETag: etag, 'Content-Type': 'application/octet-stream' },
      ...(o.signal ? { signal: o.signal } : {}), what: `upload segment ${part} of a large file`,
    });
    segments[part - 1] = { path: `/${o.segmentsContainer}/${name}`, etag, size_bytes: data.length };
    // Stored and acknowledged: the buffer can carry a later segment.
    reader.recycle(data);
  };

  try {
    for (let part = 1; ; part++) {
      if (failure) throw failure;
      o.signal?.throwIfAborted();
      const data = await reader.read(o.segmentSize);
      if (data.length === 0 && part > 1) break;
      if (part > o.maxSegments) {
        throw new ProviderError('invalid', `the file needs more than ${o.maxSegments} segments of ${o.segmentSize} bytes; raise segmentSize`);
      }
      while (inFlight.size >= o.concurrency) await Promise.race(inFlight);
      const task: Promise<void> = sendSegment(part, data).catch((error) => {
        failure ??= error;
      });
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
      if (data.length < o.segmentSize) break;
    }
    await Promise.all(inFlight);
    if (failure) throw failure;
    o.signal?.throwIfAborted();
    return segments;
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    await Promise.allSettled(inFlight);
    await discard(largeObjects, attempted);
    throw error;
  }
}

/** Deletes uploaded segments that will never be committed. */
export async function discard(largeObjects: LargeObjects, segments: readonly (ManifestSegment | undefined)[]): Promise<void> {
  const paths = segments.filter((s): s is ManifestSegment => s !== undefined).map((s) => s.path);
  if (paths.length) await largeObjects.deleteAll(paths).catch(() => undefined);
}
