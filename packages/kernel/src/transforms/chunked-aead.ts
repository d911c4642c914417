import { createCipheriv, createDecipheriv } from 'node:crypto';
import { NONCE_PREFIX_LENGTH } from './header.js';

/**
 * Chunked AES-256-GCM in the manner of STREAM (Hoang, Reyhanitabar, Rogaway, Vizár 2015),
 * as used by age and Tink's streaming AEAD: the plaintext is cut into fixed-size chunks,
 * each sealed on its own with
 *
 *   nonce = nonce prefix (8 bytes, random per object) ‖ chunk index (uint32 BE)
 *   AAD   = header bytes ‖ chunk index (uint64 BE) ‖ final flag (1 byte: 1 on the last chunk)
 *
 * so a chunk moved, dropped, duplicated or taken from another object fails its tag, and
 * cutting the object short at a chunk boundary leaves a last chunk not sealed as final.
 * Every chunk but the last holds exactly `chunkSize` bytes; the last holds 0..chunkSize
 * and is empty only when the whole plaintext is. Memory is one chunk, whatever the size.
 */

export const TAG_LENGTH = 16;
/** 64 KiB: big enough that the 16-byte tag costs 0.02 %, small enough to stream. */
export const DEFAULT_CHUNK_SIZE_LOG2 = 16;
/** Chunk sizes a header may declare (4 KiB to 16 MiB) so a forged header cannot ask for 4 GiB buffers. */
export const CHUNK_SIZE_LOG2_RANGE = [12, 24] as const;
/** The counter in the nonce is 32 bits. */
const MAX_CHUNKS = 2 ** 32;

function nonceFor(prefix: Buffer, index: number): Buffer {
  const nonce = Buffer.alloc(NONCE_PREFIX_LENGTH + 4);
  prefix.copy(nonce, 0);
  nonce.writeUInt32BE(index, NONCE_PREFIX_LENGTH);
  return nonce;
}

function aadFor(header: Buffer, index: number, final: boolean): Buffer {
  const aad = Buffer.alloc(header.length + 9);
  header.copy(aad, 0);
  aad.writeBigUInt64BE(BigInt(index), header.length);
  aad[header.length + 8] = final ? 1 : 0;
  return aad;
}

/** Stored size of `plainSize` bytes sealed in chunks of `chunkSize` (header not included). */
export function sealedSize(plainSize: number, chunkSize: number): number {
  const chunks = Math.max(1, Math.ceil(plainSize / chunkSize));
  return plainSize + chunks * TAG_LENGTH;
}

/** Cuts plaintext into chunks and seals them; holds back one full chunk until it knows whether it is the last. */
export class ChunkSealer {
  private readonly pending: Buffer;
  private filled = 0;
  private index = 0;

  constructor(
    private readonly key: Buffer,
    private readonly noncePrefix: Buffer,
    private readonly header: Buffer,
    private readonly chunkSize: number,
  ) {
    this.pending = Buffer.alloc(chunkSize);
  }

  update(data: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let at = 0;
    while (at < data.length) {
      // A full chunk is sealed only once a further byte proves it is not the last.
      if (this.filled === this.chunkSize) {
        out.push(...this.seal(this.pending, false));
        this.filled = 0;
      }
      const n = Math.min(this.chunkSize - this.filled, data.length - at);
      data.copy(this.pending, this.filled, at, at + n);
      this.filled += n;
      at += n;
    }
    return out;
  }

  final(): Buffer[] {
    return this.seal(this.pending.subarray(0, this.filled), true);
  }

  private seal(plain: Buffer, final: boolean): Buffer[] {
    if (this.index >= MAX_CHUNKS) throw new RangeError('object too large for one encrypted stream (2^32 chunks)');
    const cipher = createCipheriv('aes-256-gcm', this.key, nonceFor(this.noncePrefix, this.index), { authTagLength: TAG_LENGTH });
    cipher.setAAD(aadFor(this.header, this.index, final));
    // Ciphertext and tag as two buffers: no 64 KiB copy per chunk.
    const sealed = [cipher.update(plain), cipher.final(), cipher.getAuthTag()];
    this.index++;
    return sealed;
  }
}

/** What went wrong opening a chunk; the stream turns it into a labelled TamperedError. */
export class ChunkAuthenticationError extends Error {}

/** Opens sealed chunks in order, releasing plaintext only after its tag checked out. */
export class ChunkOpener {
  private readonly sealedChunkSize: number;
  private readonly pending: Buffer;
  private filled = 0;
  private index = 0;

  constructor(
    private readonly key: Buffer,
    private readonly noncePrefix: Buffer,
    private readonly header: Buffer,
    chunkSize: number,
  ) {
    this.sealedChunkSize = chunkSize + TAG_LENGTH;
    this.pending = Buffer.alloc(this.sealedChunkSize);
  }

  update(data: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let at = 0;
    while (at < data.length) {
      // Like the sealer: a full chunk is opened as non-final only once more bytes follow it.
      if (this.filled === this.sealedChunkSize) {
        out.push(this.open(this.pending, false));
        this.filled = 0;
      }
      const n = Math.min(this.sealedChunkSize - this.filled, data.length - at);
      data.copy(this.pending, this.filled, at, at + n);
      this.filled += n;
      at += n;
    }
    return out;
  }

  final(): Buffer[] {
    if (this.filled < TAG_LENGTH) {
      throw new ChunkAuthenticationError(this.index === 0 ? 'no data after the header' : `cut short after chunk ${this.index - 1}`);
    }
    const last = this.pending.subarray(0, this.filled);
    try {
      return [this.open(last, true)];
    } catch (error) {
      // Tell "cut short at a chunk boundary" from damage: the chunk opens, but as a middle chunk.
      if (this.filled === this.sealedChunkSize && this.opens(last, false)) {
        throw new ChunkAuthenticationError(`cut short after chunk ${this.index}`);
      }
      throw error;
    }
  }

  private opens(sealed: Buffer, final: boolean): boolean {
    try {
      this.decrypt(sealed, final);
      return true;
    } catch {
      return false;
    }
  }

  private open(sealed: Buffer, final: boolean): Buffer {
    if (this.index >= MAX_CHUNKS) throw new ChunkAuthenticationError('more chunks than a stream may hold');
    let plain: Buffer;
    try {
      plain = this.decrypt(sealed, final);
    } catch {
      throw new ChunkAuthenticationError(`chunk ${this.index} failed authentication`);
    }
    this.index++;
    return plain;
  }

  private decrypt(sealed: Buffer, final: boolean): Buffer {
    const body = sealed.subarray(0, sealed.length - TAG_LENGTH);
    const decipher = createDecipheriv('aes-256-gcm', this.key, nonceFor(this.noncePrefix, this.index), { authTagLength: TAG_LENGTH });
    decipher.setAAD(aadFor(this.header, this.index, final));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_LENGTH));
    const plain = decipher.update(body);
    decipher.final(); // throws unless the tag matches; GCM returns nothing more here
    return plain;
  }
}
