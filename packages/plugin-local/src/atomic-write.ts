import * as fs from 'node:fs';
import { createWriteStream } from 'node:fs';
import { rename, rm, utimes } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ProviderError } from '@nimbus/kernel/plugin';
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
 * Bodies announced at up to this size are gathered in memory and written with one call:
 * no pipeline (an AbortController and a DOMException per call), Transform or write stream.
 */
export const BUFFERED_WRITE_MAX = 1024 * 1024;

/**
 * Write `body` into `target` so readers only ever see the old file or the complete new
 * one: write a temp file beside it (flushed to disk when asked), set its mtime, rename it over the
 * target. On any failure or abort the temp file is removed and the error rethrown.
 * The target's folder must exist. Resolves to the number of bytes written.
 */
export async function writeAtomically(target: string, body: Readable, options: AtomicWriteOptions): Promise<number> {
  return options.size !== undefined && options.size <= BUFFERED_WRITE_MAX
    ? writeBuffered(target, body, options, options.size)
    : writeStreamed(target, body, options);
}

async function writeStreamed(target: string, body: Readable, options: AtomicWriteOptions): Promise<number> {
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
    if (options.size !== undefined && written !== options.size) throw sizeMismatch(options.size, written);
    if (options.mtime !== undefined) await utimes(temp, new Date(), new Date(options.mtime));
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return written;
}

/** The whole body first (nothing is created if it fails or is aborted), then one open/write/close. */
async function writeBuffered(target: string, body: Readable, options: AtomicWriteOptions, size: number): Promise<number> {
  const chunks = await collect(body, size, options);
  const temp = partialPathFor(target);
  let fd: number | undefined;
  try {
    fd = await call<number>((done) => fs.open(temp, 'wx', done));
    const handle = fd;
    if (size > 0) await writeAll(handle, chunks, size);
    if (options.fsync === true) await call<void>((done) => fs.fsync(handle, done));
    if (options.mtime !== undefined) {
      const mtime = new Date(options.mtime);
      await call<void>((done) => fs.futimes(handle, new Date(), mtime, done));
    }
    fd = undefined;
    await call<void>((done) => fs.close(handle, done));
    // An abort that came while the file was being written still stops the replacement.
    if (options.signal?.aborted) throw abortErrorOf(options.signal);
    await call<void>((done) => fs.rename(temp, target, done));
  } catch (error) {
    if (fd !== undefined) {
      const handle = fd;
      await call<void>((done) => fs.close(handle, done)).catch(() => undefined);
    }
    await rm(temp, { force: true });
    throw error;
  }
  return size;
}

/**
 * The body's chunks, `size` bytes in all, reporting progress as they arrive. Rejects (and
 * destroys the body) when it fails, ends early, runs past `size`, or the signal aborts.
 */
function collect(body: Readable, size: number, options: AtomicWriteOptions): Promise<Buffer[]> {
  const { signal, onProgress } = options;
  return new Promise<Buffer[]>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      body.off('data', onData).off('end', onEnd).off('error', finish).off('close', onClose);
      if (!error) return resolve(chunks);
      body.destroy();
      reject(error);
    };
    const onAbort = () => finish(abortErrorOf(signal!));
    const onData = (chunk: Buffer | string) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      received += buffer.length;
      // The source changed while it was read; storing it would record a wrong size.
      if (received > size) return finish(sizeMismatch(size, received));
      chunks.push(buffer);
      onProgress?.(received);
    };
    const onEnd = () => finish(received === size ? undefined : sizeMismatch(size, received));
    // Destroyed without an error and without ending: the body was cut short.
    const onClose = () => finish(Object.assign(new Error('the body closed before it ended'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    body.on('data', onData).once('end', onEnd).once('error', finish).once('close', onClose);
  });
}

async function writeAll(fd: number, chunks: Buffer[], size: number): Promise<void> {
  let done = 0;
  while (done < size) {
    const n = await call<number>((cb) => fs.writev(fd, chunks, done, cb));
    done += n;
    if (done < size) chunks = remainder(chunks, n);
  }
}

/** The chunks left after the first `n` bytes (a short write). */
function remainder(chunks: Buffer[], n: number): Buffer[] {
  const rest: Buffer[] = [];
  for (const chunk of chunks) {
    if (n >= chunk.length) n -= chunk.length;
    else {
      rest.push(n > 0 ? chunk.subarray(n) : chunk);
      n = 0;
    }
  }
  return rest;
}

function sizeMismatch(expected: number, actual: number): ProviderError {
  return new ProviderError('conflict', `expected ${expected} bytes but the body had ${actual}`);
}

/** An AbortError carrying the signal's reason, as stream.pipeline rejects with. */
function abortErrorOf(signal: AbortSignal): Error {
  return Object.assign(new Error('the write was aborted', { cause: signal.reason }), { name: 'AbortError', code: 'ABORT_ERR' });
}

/**
 * Callback fs rather than fs/promises: no FileHandle per file, about half the CPU per call
 * at thousands of small files.
 */
function call<T>(start: (done: (error: NodeJS.ErrnoException | null, value?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => start((error, value) => (error ? reject(error) : resolve(value as T))));
}
