import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import type { FileFacts } from '../database/cloud-database.js';
import { parentOf } from '../provider/paths.js';
import type { RemoteEntry } from '../provider/remote-entry.js';
import type { StorageProvider, WriteOptions } from '../provider/storage-provider.js';
import { metadataFor, storedObjectFacts } from './destination-facts.js';
import { readSmallFile, SMALL_FILE_MAX } from './read-small-file.js';
import { SourceChangedError } from './source-changed.js';
import { StoredFormat } from './stored-format.js';
import type { ResumableWrite, UploadSessionStore } from '../upload/upload-session-store.js';

export interface UploadJob {
  /** Destination path. */
  readonly path: string;
  /** Source file on disk. */
  readonly absolute: string;
  /** Size and mtime seen by the scan: what the record will say. */
  readonly size: number;
  readonly mtime: number;
}

export { SourceChangedError } from './source-changed.js';

/** SHA-256 of a local file, streamed. */
export async function hashLocalFile(absolute: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(absolute)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Send one source file to the provider, hashing it on the way, with the original's facts
 * in metadata where the provider keeps metadata. Returns the record to store.
 */
export async function uploadFile(
  provider: StorageProvider,
  job: UploadJob,
  runId: number,
  onBytes: (delta: number) => void,
  format: StoredFormat = StoredFormat.plain(),
  sessions?: UploadSessionStore,
): Promise<FileFacts> {
  return job.size <= SMALL_FILE_MAX ? uploadSmallFile(provider, job, runId, onBytes, format) : streamFile(provider, job, runId, onBytes, format, sessions);
}

/**
 * A small file is read whole and checked against the scan before anything is sent, so the
 * provider gets a body that cannot fail or change: one chunk, no read stream, no Transform.
 */
async function uploadSmallFile(
  provider: StorageProvider,
  job: UploadJob,
  runId: number,
  onBytes: (delta: number) => void,
  format: StoredFormat,
): Promise<FileFacts> {
  const content = await readSmallFile(job);
  const sha256 = createHash('sha256').update(content).digest('hex');
  // Progress counts when the provider pulls the bytes, as for a streamed file.
  const body = new Readable({
    read() {
      if (content.length) {
        onBytes(content.length);
        this.push(content);
      }
      this.push(null);
    },
  });
  const encoder = format.encoder();
  if (encoder) {
    body.on('error', (error) => encoder.destroy(error));
    body.pipe(encoder);
  }
  const stored: Readable = encoder ?? body;
  let entry;
  try {
    entry = await provider.write(job.path, stored, writeOptionsFor(provider, job, format, sha256));
  } finally {
    stored.destroy();
  }
  return recordFor(job, runId, sha256, entry, format);
}

/** Large files stream through a hashing meter in 1 MiB reads (64 KiB by default: 16× the calls). */
async function streamFile(
  provider: StorageProvider,
  job: UploadJob,
  runId: number,
  onBytes: (delta: number) => void,
  format: StoredFormat,
  sessions?: UploadSessionStore,
): Promise<FileFacts> {
  const hash = createHash('sha256');
  let read = 0;
  const source = createReadStream(job.absolute, { highWaterMark: READ_CHUNK });
  const body = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      read += chunk.length;
      onBytes(chunk.length);
      done(null, chunk);
    },
  });
  // The meter sees the original bytes (size and hash of the original); the encoder, if
  // any, turns them into the stored bytes. Any error destroys the last stream with it, so
  // the provider sees the failure and must not leave a complete-looking object behind.
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
    const resume = sessions && provider.capabilities.chunkedUpload ? resumableWrite(sessions, job, format) : undefined;
    entry = await provider.write(job.path, stored, { ...writeOptionsFor(provider, job, format), ...(resume ? { resume } : {}) });
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
  return recordFor(job, runId, hash.digest('hex'), entry, format);
}

const READ_CHUNK = 1024 * 1024;

/**
 * A big upload's session is resumed only for the same source (size and mtime as scanned)
 * stored the same way. Never for encrypted content: each write draws a fresh file salt and
 * nonce prefix, so the parts already sent belong to another ciphertext.
 */
function resumableWrite(store: UploadSessionStore, job: UploadJob, format: StoredFormat): ResumableWrite | undefined {
  if (format.encrypted) return undefined;
  return { store, source: JSON.stringify({ size: job.size, mtime: job.mtime, compressed: format.compressed }) };
}

/**
 * With the original's SHA-256 when it is known before the upload (small files), so another
 * machine can tell identical content from the metadata alone. Never for encrypted content:
 * a plaintext hash in clear metadata would tell anyone who can list the bucket which known
 * files it holds.
 */
function writeOptionsFor(provider: StorageProvider, job: UploadJob, format: StoredFormat, sha256?: string): WriteOptions {
  const caps = provider.capabilities;
  const storedSize = format.storedSize(job.size);
  const recordedHash = format.encrypted ? undefined : sha256;
  return {
    ...(storedSize !== undefined ? { size: storedSize } : {}),
    ...(caps.mtime.support !== 'none' ? { mtime: job.mtime } : {}),
    ...(caps.metadata ? { metadata: metadataFor(job.size, job.mtime, format, recordedHash) } : {}),
  };
}

function recordFor(job: UploadJob, runId: number, sha256: string, entry: RemoteEntry, format: StoredFormat): FileFacts {
  return {
    path: job.path,
    dir: parentOf(job.path),
    size: job.size,
    mtime: job.mtime,
    sha256,
    ...storedObjectFacts(entry),
    compressed: format.compressed,
    encrypted: format.encrypted,
    restoreRequestedAt: null,
    restoreExpiresAt: null,
    storedAt: Date.now(),
    lastRun: runId,
  };
}
