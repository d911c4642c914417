import { timingSafeEqual } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { BytePump } from './byte-pump.js';
import { ChunkAuthenticationError, ChunkOpener, CHUNK_SIZE_LOG2_RANGE } from './chunked-aead.js';
import { createDecompressor, OriginalTally, TrailerHoldBack } from './compressed-body.js';
import { PasswordRequiredError, TamperedError, UnsupportedFormatError, WrongPasswordError } from './errors.js';
import { isHeaderProblem, parseHeader, type ParsedHeader } from './header.js';
import { deriveFileKeys, scryptParamsProblem, type KeyCache } from './key-cache.js';
import type { DecodeSettings } from './settings.js';

type Phase = 'header' | 'body' | 'raw';

/** Stored bytes in, original bytes out: header, [AES-256-GCM chunks], [Brotli + trailer]. */
class DecodeStream extends BytePump {
  private phase: Phase = 'header';
  private head: Buffer = Buffer.alloc(0);
  private opener: ChunkOpener | undefined;
  /** When compressed: the bytes after the Brotli stream, and what the decompressed output adds up to. */
  private holdBack: TrailerHoldBack | undefined;
  private tally: OriginalTally | undefined;
  private readonly label: string;
  private readonly expect: NonNullable<DecodeSettings['expect']>;

  constructor(
    private readonly settings: DecodeSettings,
    private readonly keyCache: KeyCache,
  ) {
    super();
    this.label = settings.label ?? 'stored object';
    this.expect = settings.expect ?? 'transformed';
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.consume(chunk).then(() => callback(), (error: unknown) => callback(this.labelled(error)));
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.finish().then(
      () => {
        this.push(null);
        callback();
      },
      (error: unknown) => callback(this.labelled(error)),
    );
  }

  private async consume(chunk: Buffer): Promise<void> {
    if (this.phase === 'raw') return this.deliver([chunk]);
    if (this.phase === 'body') return this.emitPlain(this.opener ? this.opener.update(chunk) : [chunk]);
    this.head = this.head.length ? Buffer.concat([this.head, chunk]) : chunk;
    const parsed = parseHeader(this.head);
    if (!isHeaderProblem(parsed)) {
      await this.start(parsed);
      const rest = this.head.subarray(parsed.bytes.length);
      this.head = Buffer.alloc(0);
      return this.emitPlain(this.opener ? this.opener.update(rest) : [rest]);
    }
    switch (parsed.problem) {
      case 'too-short':
        return;
      case 'not-a-header':
        if (this.expect !== 'auto') throw new TamperedError(this.label, 'no stored-format header');
        this.phase = 'raw';
        return this.deliver([this.takeHead()]);
      case 'damaged':
        throw new TamperedError(this.label, parsed.detail);
      case 'unsupported':
        throw new UnsupportedFormatError(this.label, parsed.detail);
    }
  }

  private async finish(): Promise<void> {
    if (this.phase === 'header') {
      // The object ended before a whole header: only an unknown object may be that short.
      if (this.expect !== 'auto') {
        throw new TamperedError(this.label, this.head.length ? 'cut short inside the header' : 'empty object');
      }
      this.phase = 'raw';
      await this.deliver([this.takeHead()]);
      return;
    }
    if (this.phase === 'raw') return;
    if (this.opener) await this.emitPlain(this.opener.final());
    if (!this.holdBack || !this.tally) return;
    const trailer = this.holdBack.final();
    if (!trailer) throw new TamperedError(this.label, 'compressed data cut short');
    await this.endZlib();
    if (!this.tally.matches(trailer)) throw new TamperedError(this.label, 'decompressed data does not match its recorded length and CRC-32');
  }

  /** The header checked out: derive the keys, check the password, set up the stages. */
  private async start(header: ParsedHeader): Promise<void> {
    if (this.expect === 'encrypted' && !header.encryption) {
      throw new TamperedError(this.label, 'stored without encryption, but it was backed up encrypted');
    }
    const e = header.encryption;
    if (e) {
      const problem = scryptParamsProblem(e.scrypt);
      if (problem) throw new UnsupportedFormatError(this.label, problem);
      if (e.chunkSizeLog2 < CHUNK_SIZE_LOG2_RANGE[0] || e.chunkSizeLog2 > CHUNK_SIZE_LOG2_RANGE[1]) {
        throw new UnsupportedFormatError(this.label, `chunk size 2^${e.chunkSizeLog2}`);
      }
      const password = this.settings.password;
      if (password === undefined || password.length === 0) throw new PasswordRequiredError(this.label);
      const master = await this.keyCache.masterKey(password, e.scryptSalt, e.scrypt);
      const { key, keyCheck } = deriveFileKeys(master, e.fileSalt);
      if (!timingSafeEqual(keyCheck, e.keyCheck)) throw new WrongPasswordError(this.label);
      this.opener = new ChunkOpener(key, e.noncePrefix, header.bytes, 2 ** e.chunkSizeLog2);
    }
    if (header.compressed) {
      const tally = (this.tally = new OriginalTally());
      this.holdBack = new TrailerHoldBack();
      const damaged = (error: Error) => new TamperedError(this.label, 'compressed data is damaged', { cause: error });
      this.adoptZlib(createDecompressor(), (data) => (tally.update(data), [data]), damaged);
    }
    this.phase = 'body';
  }

  /** Plaintext (already authenticated when encrypted) to the reader, decompressed when compressed. */
  private emitPlain(buffers: Buffer[]): Promise<void> {
    const holdBack = this.holdBack;
    return holdBack ? this.feedZlib(buffers.flatMap((b) => holdBack.update(b))) : this.deliver(buffers);
  }

  private takeHead(): Buffer {
    const head = this.head;
    this.head = Buffer.alloc(0);
    return head;
  }

  private labelled(error: unknown): Error {
    if (error instanceof ChunkAuthenticationError) return new TamperedError(this.label, error.message);
    if (error instanceof Error && /^(Z_|ERR__|ERR_BROTLI)/.test((error as NodeJS.ErrnoException).code ?? '')) {
      return new TamperedError(this.label, 'compressed data is damaged', { cause: error });
    }
    return error as Error;
  }
}

/**
 * A stream turning stored bytes back into the original bytes. Nothing unauthenticated is
 * ever emitted: each chunk's plaintext is released only after its GCM tag verified, and
 * the stream fails (TamperedError) if the object was cut short, extended, reordered or
 * altered anywhere, header included. A wrong password fails with WrongPasswordError before
 * any data, an encrypted object without a password with PasswordRequiredError. Write the
 * output to a temporary file and keep it only if the stream ends without error: a
 * truncation can only be known at the end.
 */
export function decodeStream(settings: DecodeSettings, keyCache: KeyCache): Duplex {
  return new DecodeStream(settings, keyCache);
}
