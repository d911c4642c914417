import type { Duplex } from 'node:stream';
import type { FileFacts } from '../database/cloud-database.js';
import { UserError } from '../errors/nimbus-error.js';
import type { StorageProvider } from '../provider/storage-provider.js';
import { decodeStream } from '../transforms/decode-stream.js';
import { encodeStream } from '../transforms/encode-stream.js';
import { HEADER_PROBE_LENGTH } from '../transforms/header.js';
import { checkPassword } from '../transforms/inspect.js';
import { KeyCache } from '../transforms/key-cache.js';
import { expectationFor, isIdentity, storedFlags, transformedSize, type TransformSettings } from '../transforms/settings.js';

/**
 * How this run stores file contents: as they are, or compressed and/or encrypted. Sizes,
 * mtimes and hashes recorded are always the original's; the stored size is the object's.
 * One key cache per run, so the password is stretched once however many files move.
 */
export class StoredFormat {
  readonly compressed: boolean;
  readonly encrypted: boolean;
  private readonly keys = new KeyCache();

  constructor(private readonly settings: TransformSettings) {
    ({ compressed: this.compressed, encrypted: this.encrypted } = storedFlags(settings));
  }

  static plain(): StoredFormat {
    return new StoredFormat({ compress: false });
  }

  get isPlain(): boolean {
    return isIdentity(this.settings);
  }

  /** Original bytes in, stored bytes out; undefined when stored as is. */
  encoder(): Duplex | undefined {
    return this.isPlain ? undefined : encodeStream(this.settings, this.keys);
  }

  /** Size of the stored object for an original of `size` bytes, when it can be known in advance. */
  storedSize(size: number): number | undefined {
    return this.isPlain ? size : transformedSize(this.settings, size);
  }

  /**
   * Stored bytes in, original bytes out, for an object with this record; undefined when it
   * was stored as is. A record without flags (database rebuilt from a listing) is decoded
   * when it carries a Nimbus header, if this profile transforms at all.
   */
  decoder(record: Pick<FileFacts, 'compressed' | 'encrypted' | 'path'>): Duplex | undefined {
    const expect = expectationFor(record) ?? (this.isPlain ? undefined : 'auto');
    if (!expect) return undefined;
    return decodeStream({ ...(this.settings.encrypt ? { password: this.settings.encrypt.password } : {}), expect, label: record.path }, this.keys);
  }

  /**
   * With encryption on, check the password against one stored object before anything
   * moves: a wrong password is one clear error, not a failure per file (and never a
   * backup encrypted under two passwords).
   */
  async verifyPassword(provider: StorageProvider, sample: FileFacts | undefined, profile: string): Promise<void> {
    if (!this.settings.encrypt || !sample) return;
    const chunks: Buffer[] = [];
    for await (const chunk of await provider.read(sample.path, { range: { start: 0, end: HEADER_PROBE_LENGTH - 1 } })) chunks.push(chunk as Buffer);
    const ok = await checkPassword(Buffer.concat(chunks), this.settings.encrypt.password, this.keys);
    if (ok === false) throw new UserError(`wrong password for profile ${profile}: its files were encrypted with another one; give the right password`);
  }

  async close(): Promise<void> {
    await this.keys.clear();
  }
}
