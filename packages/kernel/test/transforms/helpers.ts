import { createCipheriv, createHash } from 'node:crypto';
import { Readable, Writable, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { KeyCache } from '../../dist/transforms/index.js';

// The module is not exported from @nimbus/kernel yet (the lead adds that line), so the tests
// import the compiled folder directly.
export * from '../../dist/transforms/index.js';

export const CHUNK = 64 * 1024;
export const TAG = 16;
export const ENCRYPTED_HEADER = 79;
export const PLAIN_HEADER = 18;

/** scrypt at the lowest cost new objects may use, to keep the suite fast. */
export const FAST_SCRYPT = { log2N: 15, r: 8, p: 1 } as const;

export function fastKeyCache(randomBytes?: (size: number) => Buffer): KeyCache {
  return new KeyCache({ scrypt: FAST_SCRYPT, ...(randomBytes ? { randomBytes } : {}) });
}

/** Deterministic pseudo-random bytes (AES-256-CTR keystream of a seed), fast enough for 50 MB. */
export function deterministicBytes(size: number, seed = 1): Buffer {
  const key = createHash('sha256').update(`seed ${seed}`).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

/** A deterministic stream of `size` bytes in `piece`-sized reads, never held in memory at once. */
export function deterministicStream(size: number, seed = 1, piece = 256 * 1024): Readable {
  const key = createHash('sha256').update(`seed ${seed}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(piece);
  let left = size;
  return new Readable({
    read() {
      if (left === 0) return void this.push(null);
      const n = Math.min(piece, left);
      left -= n;
      this.push(cipher.update(zeros.subarray(0, n)));
    },
  });
}

/** Text-like bytes that compress well (for the compress-then-encrypt checks). */
export function compressibleBytes(size: number): Buffer {
  const line = Buffer.from('2024-01-01T00:00:00Z INFO nimbus: uploaded docs/report-0001.pdf (1 MiB)\n');
  const out = Buffer.alloc(size);
  for (let at = 0; at < size; at += line.length) line.copy(out, at, 0, Math.min(line.length, size - at));
  return out;
}

/** Pipe `input` (given in `pieces` writes) through `stream` and collect the output. */
export async function through(stream: Duplex, input: Buffer, pieces = 3): Promise<Buffer> {
  const out: Buffer[] = [];
  const step = Math.max(1, Math.ceil(input.length / pieces));
  const parts: Buffer[] = [];
  for (let at = 0; at < input.length; at += step) parts.push(input.subarray(at, at + step));
  await pipeline(Readable.from(parts), stream, collect(out));
  return Buffer.concat(out);
}

export function collect(into: Buffer[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      into.push(chunk);
      done();
    },
  });
}

export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
