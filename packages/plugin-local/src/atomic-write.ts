import { createWriteStream } from 'node:fs';
import { rename, rm, utimes } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ProviderError } from '@nimbus/kernel';
import { partialPathFor } from './partial-files.js';

export interface AtomicWriteOptions {
  readonly size?: number;
  readonly mtime?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (bytesWritten: number) => void;
  /** fsync before the rename, so a crash after it cannot leave an empty file. */
  readonly fsync?: boolean;
}

/**
 * Stream `body` into `target` so readers only ever see the old file or the complete new
 * one: write a temp file beside it (flushed to disk when asked), set its mtime, rename it over the
 * target. On any failure or abort the temp file is removed and the error rethrown.
 * The target's folder must exist.
 */
export async function writeAtomically(target: string, body: Readable, options: AtomicWriteOptions): Promise<void> {
  const temp = partialPathFor(target);
  let written = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      written += chunk.length;
      options.onProgress?.(written);
      callback(null, chunk);
    },
  });
  try {
    await pipeline(body, counter, createWriteStream(temp, { flags: 'wx', flush: options.fsync === true }), { signal: options.signal });
    if (options.size !== undefined && written !== options.size) {
      // The source changed while it was read; storing it would record a wrong size.
      throw new ProviderError('conflict', `expected ${options.size} bytes but the body had ${written}`);
    }
    if (options.mtime !== undefined) await utimes(temp, new Date(), new Date(options.mtime));
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
