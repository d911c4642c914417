import { PassThrough, type Duplex } from 'node:stream';
import { BytePump } from './byte-pump.js';
import { ChunkSealer, DEFAULT_CHUNK_SIZE_LOG2 } from './chunked-aead.js';
import { createCompressor, OriginalTally } from './compressed-body.js';
import { encodeHeader, NONCE_PREFIX_LENGTH, SALT_LENGTH } from './header.js';
import { deriveFileKeys, type KeyCache } from './key-cache.js';
import { compressionLevel, isIdentity, type TransformSettings } from './settings.js';

/** The bytes a stream writes after the header: what `update`/`final` produce for each input. */
interface BodyCodec {
  update(data: Buffer): Buffer[];
  final(): Buffer[];
}

const passBody: BodyCodec = { update: (data) => [data], final: () => [] };

/** Original bytes in, stored bytes out: header, then [Brotli + trailer] sealed in [AES-256-GCM chunks]. */
class EncodeStream extends BytePump {
  private readonly body: Promise<BodyCodec>;
  private codec: BodyCodec | undefined;
  private header: Buffer | undefined;
  private headerSent = false;
  /** Length and CRC-32 of the original, when compressing. */
  private readonly tally: OriginalTally | undefined;

  constructor(private readonly settings: TransformSettings, keyCache: KeyCache) {
    super();
    const level = compressionLevel(settings);
    this.body = this.prepare(keyCache, level !== undefined);
    // Failures surface on the first write or at the end; this only avoids an unhandled rejection.
    this.body.catch(() => undefined);
    if (level !== undefined) {
      this.tally = new OriginalTally();
      this.adoptZlib(createCompressor(level), (data) => this.encodeBody(data), (error) => error);
    }
  }

  private async prepare(keyCache: KeyCache, compressed: boolean): Promise<BodyCodec> {
    const password = this.settings.encrypt?.password;
    if (password === undefined) {
      this.header = encodeHeader({ compressed });
      return (this.codec = passBody);
    }
    const { scrypt, scryptSalt, master } = await keyCache.encryptionMaster(password);
    const fileSalt = keyCache.randomBytes(SALT_LENGTH);
    const noncePrefix = keyCache.randomBytes(NONCE_PREFIX_LENGTH);
    const { key, keyCheck } = deriveFileKeys(master, fileSalt);
    const chunkSizeLog2 = DEFAULT_CHUNK_SIZE_LOG2;
    this.header = encodeHeader({ compressed, encryption: { scrypt, chunkSizeLog2, scryptSalt, fileSalt, noncePrefix, keyCheck } });
    return (this.codec = new ChunkSealer(key, noncePrefix, this.header, 2 ** chunkSizeLog2));
  }

  /** Header first (once), then the body codec's output. */
  private encodeBody(data: Buffer): Buffer[] {
    const out = this.codec!.update(data);
    if (this.headerSent) return out;
    this.headerSent = true;
    return [this.header!, ...out];
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.body
      .then(() => {
        if (!this.tally) return this.deliver(this.encodeBody(chunk));
        this.tally.update(chunk);
        return this.feedZlib([chunk]);
      })
      .then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.body
      .then(async (codec) => {
        const tail: Buffer[] = [];
        if (this.tally) {
          await this.endZlib();
          tail.push(...this.encodeBody(this.tally.trailer()));
        }
        tail.push(...codec.final());
        await this.deliver(this.headerSent ? tail : [this.header!, ...tail]);
        this.headerSent = true;
        this.push(null);
      })
      .then(() => callback(), callback);
  }
}

/**
 * A stream turning a file's original bytes into the bytes to store under `settings`
 * (compress, then encrypt). With neither it is a PassThrough and adds no header, so
 * objects stored as they are stay readable by anything. `keyCache` should live for the
 * whole run: scrypt then runs once per password, not once per file.
 */
export function encodeStream(settings: TransformSettings, keyCache: KeyCache): Duplex {
  if (settings.encrypt !== undefined && settings.encrypt.password.length === 0) {
    throw new RangeError('the encryption password is empty; set a non-empty password or turn encryption off');
  }
  if (isIdentity(settings)) return new PassThrough();
  return new EncodeStream(settings, keyCache);
}
