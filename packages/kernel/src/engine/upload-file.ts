import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import type { FileFacts } from '../database/cloud-database.js';
import { parentOf } from '../provider/paths.js';
import type { StorageProvider } from '../provider/storage-provider.js';
import { metadataFor, storedObjectFacts } from './destination-facts.js';
import { StoredFormat } from './stored-format.js';

export interface UploadJob {
  /** Destination path. */
  readonly path: string;
  /** Source file on disk. */
  readonly absolute: string;
  /** Size and mtime seen by the scan: what the record will say. */
  readonly size: number;
  readonly mtime: number;
}

/** The source file changed between the scan and the end of its upload. */
export class SourceChangedError extends Error {
  constructor(path: string, readonly vanished = false) {
    super(
      vanished
        ? `${path} was deleted while it was being read; it was not backed up`
        : `${path} changed while it was being read; it will be sent again on the next run`,
    );
  }
}

/** SHA-256 of a local file, streamed. */
export async function hashLocalFile(absolute: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(absolute)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Stream one source file to the provider, hashing it on the way, with the original's
 * facts in metadata where the provider keeps metadata. Returns the record to store.
 */
export async function uploadFile(
  provider: StorageProvider,
  job: UploadJob,
  runId: number,
  onBytes: (delta: number) => void,
  format: StoredFormat = StoredFormat.plain(),
): Promise<FileFacts> {
  const caps = provider.capabilities;
  const hash = createHash('sha256');
  let read = 0;
  const source = createReadStream(job.absolute);
  const body = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      read += chunk.length;
      onBytes(chunk.length);
      done(null, chunk);
    },
  });
  // The meter sees the original bytes (size and hash of the original); the encoder, if
  // any, turns them into the stored bytes. pipeline destroys the last stream with any error,
  // so the provider sees the failure and must not leave a complete-looking object behind.
  const encoder = format.encoder();
  // pipe() plus error forwarding rather than pipeline(): pipeline builds and aborts an
  // AbortController per call, a measurable cost at thousands of small files.
  const fail = (error: Error) => (encoder ?? body).destroy(error);
  source.on('error', fail);
  body.on('error', fail);
  source.pipe(body);
  if (encoder) body.pipe(encoder);
  const stored: Readable = encoder ?? body;
  /** Undefined when the source is as scanned; else the error saying what happened to it. */
  const sourceChanged = async () => {
    const after = await lstat(job.absolute).catch(() => undefined);
    if (!after) return new SourceChangedError(job.path, true);
    return after.size !== job.size || Math.round(after.mtimeMs) !== job.mtime ? new SourceChangedError(job.path) : undefined;
  };
  let entry;
  try {
    const storedSize = format.storedSize(job.size);
    entry = await provider.write(job.path, stored, {
      ...(storedSize !== undefined ? { size: storedSize } : {}),
      ...(caps.mtime.support !== 'none' ? { mtime: job.mtime } : {}),
      ...(caps.metadata ? { metadata: metadataFor(job.size, job.mtime, format) } : {}),
    });
  } catch (error) {
    // A provider refusing a body longer or shorter than announced: say what really happened.
    const changed = (error as NodeJS.ErrnoException).code !== 'ENOENT' ? await sourceChanged() : undefined;
    throw changed ?? error;
  } finally {
    // A provider that failed without draining the body must not leave the file open.
    stored.destroy();
    source.destroy();
  }
  const changed = (await sourceChanged()) ?? (read !== job.size ? new SourceChangedError(job.path) : undefined);
  if (changed) throw changed;
  return {
    path: job.path,
    dir: parentOf(job.path),
    size: job.size,
    mtime: job.mtime,
    sha256: hash.digest('hex'),
    ...storedObjectFacts(entry),
    compressed: format.compressed,
    encrypted: format.encrypted,
    restoreRequestedAt: null,
    restoreExpiresAt: null,
    storedAt: Date.now(),
    lastRun: runId,
  };
}
