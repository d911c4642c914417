import { close, fstat, open, read, type Stats } from 'node:fs';
import { SourceChangedError } from './source-changed.js';

/**
 * Files up to this size are read whole into memory and sent from the buffer: per file that
 * is open, read, fstat, close, against a read stream's extra EOF read, Transform and lstat.
 */
export const SMALL_FILE_MAX = 1024 * 1024;

// Callback fs rather than fs/promises: no FileHandle object per file, about half the CPU
// per call at thousands of small files (measured with bench scenario (a)).
const openFile = (path: string) => new Promise<number>((resolve, reject) => open(path, 'r', (e, fd) => (e ? reject(e) : resolve(fd))));
const readAt = (fd: number, buffer: Buffer, offset: number) =>
  new Promise<number>((resolve, reject) => read(fd, buffer, offset, buffer.length - offset, offset, (e, n) => (e ? reject(e) : resolve(n))));
const statOf = (fd: number) => new Promise<Stats>((resolve, reject) => fstat(fd, (e, stats) => (e ? reject(e) : resolve(stats))));
const closeFile = (fd: number) => new Promise<void>((resolve, reject) => close(fd, (e) => (e ? reject(e) : resolve())));

export interface SmallFileJob {
  /** Destination path, for messages. */
  readonly path: string;
  readonly absolute: string;
  /** Size and mtime seen by the scan. */
  readonly size: number;
  readonly mtime: number;
}

/**
 * The whole content of a small source file, checked against the scan through the same
 * descriptor after the read: what is returned is exactly the file the scan saw. Throws
 * SourceChangedError when the file changed, was deleted, or vanished before it could be opened.
 */
export async function readSmallFile(job: SmallFileJob): Promise<Buffer> {
  let fd: number;
  try {
    fd = await openFile(job.absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new SourceChangedError(job.path, true);
    throw error;
  }
  let buffer: Buffer;
  try {
    buffer = Buffer.allocUnsafe(job.size);
    let got = 0;
    while (got < job.size) {
      const n = await readAt(fd, buffer, got);
      if (n === 0) break;
      got += n;
    }
    // A file that grew, shrank or was rewritten during the read shows in size or mtime.
    const after = await statOf(fd);
    // Unlinked while open: the descriptor still reads, but the file is gone from the source.
    if (after.nlink === 0) throw new SourceChangedError(job.path, true);
    if (got !== job.size || after.size !== job.size || Math.round(after.mtimeMs) !== job.mtime) throw new SourceChangedError(job.path);
  } catch (error) {
    await closeFile(fd).catch(() => undefined);
    throw error;
  }
  await closeFile(fd);
  return buffer;
}
