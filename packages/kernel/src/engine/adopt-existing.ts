import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Capabilities } from '../capabilities/capabilities.js';
import type { FileFacts } from '../database/cloud-database.js';
import type { RemoteEntry } from '../provider/remote-entry.js';
import { factsFromRemote, isForeignObject, UNKNOWN_MTIME } from './destination-facts.js';
import type { PathFilter } from './filters.js';

export interface AdoptionSettings {
  /** Absolute path of the source folder the destination mirrors. */
  readonly sourceRoot: string;
  readonly filter: PathFilter;
  /** The profile stores files as they are (no compression, no encryption). */
  readonly plain: boolean;
}

interface LocalFacts {
  readonly size: number;
  readonly mtime: number;
}

/** MD5 (what providers give for free) and SHA-256 (what Nimbus records) of a local file, in one read. */
async function hashBoth(absolute: string): Promise<{ md5: string; sha256: string }> {
  const md5 = createHash('md5');
  const sha256 = createHash('sha256');
  for await (const chunk of createReadStream(absolute)) {
    md5.update(chunk as Buffer);
    sha256.update(chunk as Buffer);
  }
  return { md5: md5.digest('hex'), sha256: sha256.digest('hex') };
}

/**
 * Takes over a destination that already holds the source's files (filled by rclone, or by
 * Nimbus before its cloud database was lost) without sending them again. While the database
 * is rebuilt from a listing, an object Nimbus has no record of is recorded as the source file
 * of the same path when sizes match and either
 * - a hash the listing gives for free (MD5) equals the local file's (one local read), or
 * - the object carries a modification time written by a well-known tool (rclone's `mtime`
 *   metadata) or kept by the provider, and it equals the local file's.
 * Only a profile that stores files as they are can take such objects over: with compression
 * or encryption, an object another tool wrote is not in the profile's format, so it is left
 * unknown (sent again, the foreign copy kept as a version) and counted as `replaced`.
 */
export class ExistingObjectAdopter {
  /** Objects recorded as the source file without an upload. */
  adopted = 0;
  /** Objects another tool wrote that this profile's format cannot take over. */
  replaced = 0;

  constructor(
    private readonly settings: AdoptionSettings,
    private readonly capabilities: Capabilities,
  ) {}

  private get toleranceMs(): number {
    return Math.max(1, this.capabilities.mtime.precisionMs);
  }

  private async local(path: string): Promise<LocalFacts | undefined> {
    if (!this.settings.filter.acceptsFile(path)) return undefined;
    const st = await lstat(join(this.settings.sourceRoot, ...path.split('/'))).catch(() => undefined);
    return st?.isFile() ? { size: st.size, mtime: Math.round(st.mtimeMs) } : undefined;
  }

  /**
   * Before asking the provider anything more: an object whose free MD5 equals the local
   * file's is that file. Undefined when this cannot tell (then the object's metadata decides).
   */
  async byFreeHash(entry: RemoteEntry, runId: number): Promise<FileFacts | undefined> {
    const md5 = entry.hashes?.md5?.toLowerCase();
    // A listing that carries Nimbus's own metadata (Azure's does) already tells the facts: no need to read the file.
    if (!this.settings.plain || md5 === undefined || (entry.metadata && !isForeignObject(entry))) return undefined;
    const local = await this.local(entry.path);
    if (!local || local.size !== entry.size) return undefined;
    const hashes = await hashBoth(join(this.settings.sourceRoot, ...entry.path.split('/'))).catch(() => undefined);
    if (hashes?.md5 !== md5) return undefined;
    this.adopted++;
    return this.asSourceFile(entry, runId, local, hashes.sha256);
  }

  /** After the object's metadata is known: take it over by a matching mtime, or mark a foreign object the format cannot keep. */
  async review(entry: RemoteEntry, facts: FileFacts): Promise<FileFacts> {
    if (!isForeignObject(entry)) return facts;
    const local = await this.local(entry.path);
    if (!local) return facts;
    if (!this.settings.plain) {
      // Without metadata a transformed object of Nimbus's own cannot be told apart by its keys, but its
      // size differs from the original's; an equal size (or a provider that keeps metadata) means foreign.
      if (!this.capabilities.metadata && entry.size !== local.size) return facts;
      this.replaced++;
      return { ...facts, mtime: UNKNOWN_MTIME, sha256: null };
    }
    if (local.size !== entry.size || facts.mtime === UNKNOWN_MTIME || Math.abs(local.mtime - facts.mtime) >= this.toleranceMs) return facts;
    this.adopted++;
    return { ...facts, mtime: local.mtime, compressed: false, encrypted: false };
  }

  private asSourceFile(entry: RemoteEntry, runId: number, local: LocalFacts, sha256: string): FileFacts {
    return { ...factsFromRemote(entry, this.capabilities, runId), size: local.size, mtime: local.mtime, sha256, compressed: false, encrypted: false };
  }
}
