import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform, type Duplex, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Temp files of an unfinished download: never mistaken for real files. */
export const DOWNLOAD_PREFIX = '.nimbus-download-';

export interface DownloadExpectation {
  /** Original size, checked when known. */
  readonly size?: number;
  /** Original SHA-256, checked when known. */
  readonly sha256?: string | null;
  /** mtime to give the file (ms). */
  readonly mtime?: number;
}

/**
 * Write a stream of original bytes to a local file atomically: into a temp file next to
 * it, checked against the expected size and SHA-256, given its mtime, then renamed over
 * the target. On any failure the temp file is removed and the target is untouched.
 */
export async function writeLocalFile(
  stream: Readable,
  local: string,
  expect: DownloadExpectation,
  onBytes?: (delta: number) => void,
  /** Turns stored bytes into original ones (decompress, decrypt and authenticate). */
  decoder?: Duplex,
): Promise<{ size: number; sha256: string }> {
  await mkdir(dirname(local), { recursive: true });
  const temp = join(dirname(local), `${DOWNLOAD_PREFIX}${randomUUID()}`);
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      onBytes?.(chunk.length);
      done(null, chunk);
    },
  });
  try {
    if (decoder) await pipeline(stream, decoder, meter, createWriteStream(temp, { flags: 'wx' }));
    else await pipeline(stream, meter, createWriteStream(temp, { flags: 'wx' }));
    if (expect.size !== undefined && size !== expect.size) {
      throw new Error(`the stored copy has ${size} bytes where ${expect.size} were backed up; it was not written`);
    }
    const sha256 = hash.digest('hex');
    if (expect.sha256 && sha256 !== expect.sha256) throw new Error('the stored copy does not match the SHA-256 recorded at backup; it was not written');
    if (expect.mtime !== undefined && expect.mtime >= 0) await utimes(temp, new Date(), new Date(expect.mtime));
    await rename(temp, local);
    return { size, sha256 };
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
