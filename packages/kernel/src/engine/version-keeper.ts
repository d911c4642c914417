import { isProviderError } from '../errors/nimbus-error.js';
import type { VersioningSettings } from '../config/profile.js';
import type { CloudDatabase, FileFacts, VersionFacts } from '../database/cloud-database.js';
import type { Logger } from '../log/logger.js';
import { supports } from '../provider/operations.js';
import type { StorageProvider } from '../provider/storage-provider.js';
import { UNKNOWN_MTIME } from './destination-facts.js';
import { versionLocation } from './versions-folder.js';

/**
 * - `native`: the provider keeps versions itself (optional or forced versioning); Nimbus only purges the excess.
 * - `folder`: Nimbus keeps previous copies in `$SBV$` using server-side copy or move.
 * - `none`: the profile keeps no versions (keep: 0).
 * - `unavailable`: versions are wanted but the provider can neither version, copy nor move.
 */
export type VersioningStrategy = 'native' | 'folder' | 'none' | 'unavailable';

const DAY = 86_400_000;

export function chooseVersioning(provider: StorageProvider, settings: VersioningSettings): { strategy: VersioningStrategy; note?: string } {
  const caps = provider.capabilities;
  if (caps.versioning !== 'none') {
    if (supports(provider, 'listVersions') && supports(provider, 'deleteVersion')) return { strategy: 'native' };
    return { strategy: 'none', note: 'the destination keeps versions of its own, which Nimbus cannot list or purge there' };
  }
  if (settings.keep === 0) return { strategy: 'none' };
  if (supports(provider, 'copy') || supports(provider, 'move')) return { strategy: 'folder' };
  return {
    strategy: 'unavailable',
    note: 'the destination can neither copy nor move objects nor version them, so previous copies of overwritten or deleted files cannot be kept ($SBV$ versioning is off)',
  };
}

/** Which versions fall outside the retention: beyond the newest `keep`, or older than `maxAgeDays`. */
export function expiredVersions<T extends { supersededAt: number }>(newestFirst: readonly T[], settings: VersioningSettings, now: number): T[] {
  const maxAge = settings.maxAgeDays === undefined ? Infinity : settings.maxAgeDays * DAY;
  return newestFirst.filter((v, i) => i >= settings.keep || now - v.supersededAt > maxAge);
}

/**
 * Whether a kept version holds the same original as a record: same size and SHA-256, or,
 * where a hash is unknown, the same size, original mtime and stored size.
 */
function sameContent(version: VersionFacts, record: FileFacts): boolean {
  if (version.size !== record.size) return false;
  if (version.sha256 && record.sha256) return version.sha256 === record.sha256;
  return version.mtime === record.mtime && version.mtime !== UNKNOWN_MTIME && version.storedSize === record.storedSize;
}

/**
 * Keeps the previous copy of a file when a run overwrites or deletes it, and purges
 * versions beyond the profile's retention, by the strategy the provider's capabilities allow.
 */
export class VersionKeeper {
  readonly strategy: VersioningStrategy;
  readonly note: string | undefined;

  constructor(
    private readonly provider: StorageProvider,
    private readonly db: CloudDatabase,
    private readonly settings: VersioningSettings,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    const chosen = chooseVersioning(provider, settings);
    this.strategy = chosen.strategy;
    this.note = chosen.note;
  }

  /**
   * Before `record` is overwritten (`replacing`) or deleted: put its copy in `$SBV$`.
   * Returns an undo for the overwrite case when the copy had to be moved away (no
   * server-side copy), so a failed upload can put it back. Throws when the copy cannot be kept.
   * Retries pass the first attempt's `supersededAt`, so a copy whose answer was lost is
   * redone at the same location instead of leaving a second, unrecorded version.
   */
  async preserve(record: FileFacts, replacing: boolean, supersededAt: number = this.now()): Promise<(() => Promise<void>) | undefined> {
    if (this.strategy !== 'folder') return undefined;
    // A run killed (or an upload that failed) after keeping the copy leaves the record as it
    // was, so the rerun would keep the same content again and push a real older version out.
    // The row is written before the copy (below), so a kill between the two can leave a row
    // whose copy never arrived: it counts only when its object is there.
    const [newest] = await this.db.versionsOf(record.path);
    if (newest && sameContent(newest, record) && (await this.provider.stat(newest.location))) return undefined;
    const location = versionLocation(record.path, supersededAt);
    const moveIt = supports(this.provider, 'move') && (!replacing || !supports(this.provider, 'copy'));
    await this.db.addVersion({
      path: record.path,
      location,
      storedAt: record.storedAt ?? record.remoteMtime ?? supersededAt,
      supersededAt,
      size: record.size,
      mtime: record.mtime,
      sha256: record.sha256,
      storedSize: record.storedSize,
      compressed: record.compressed,
      encrypted: record.encrypted,
    });
    try {
      if (moveIt) await this.provider.move!(record.path, location);
      else await this.provider.copy!(record.path, location);
    } catch (error) {
      // A retry after an attempt whose answer was lost: that attempt may have finished, the
      // source already moved to `location`. The version is there, and so is its row.
      if (!isProviderError(error, 'not-found') || !(await this.provider.stat(location))) {
        await this.forget(record.path, location);
        throw error;
      }
    }
    if (!(moveIt && replacing)) return undefined;
    return async () => {
      await this.provider.move!(location, record.path);
      await this.forget(record.path, location);
    };
  }

  /** Drop the row of a version that was not kept (or was put back). */
  private async forget(path: string, location: string): Promise<void> {
    const [added] = (await this.db.versionsOf(path)).filter((v) => v.location === location);
    if (added?.id !== undefined) await this.db.removeVersions([added.id]);
  }

  /** Drop versions of `path` beyond the retention; returns how many were removed. */
  async purge(path: string): Promise<number> {
    if (this.strategy === 'native') return this.purgeNative(path);
    if (this.strategy !== 'folder') return 0;
    const expired = expiredVersions(await this.db.versionsOf(path), this.settings, this.now());
    for (const v of expired) await this.provider.delete(v.location);
    await this.db.removeVersions(expired.map((v) => v.id!));
    return expired.length;
  }

  private async purgeNative(path: string): Promise<number> {
    // The contract lists versions newest first; the provider knows that order better than
    // timestamps do (a large upload started earlier can finish later).
    const newestFirst = await this.provider.listVersions!(path);
    // A version stopped being current when the next newer one was stored.
    const older = newestFirst
      .map((v, i) => ({ v, supersededAt: i > 0 ? newestFirst[i - 1]!.storedAt : this.now() }))
      .filter(({ v }) => !v.isLatest);
    const expired = expiredVersions(older, this.settings, this.now());
    for (const { v } of expired) await this.provider.deleteVersion!(path, v.versionId);
    if (expired.length) this.logger.debug(`purged ${expired.length} old versions of ${path}`);
    return expired.length;
  }
}
