import type { FileFacts } from '../database/cloud-database.js';
import { ArchiveGate } from './archive-gate.js';
import { PreviousCopyArchivedError } from './archived-previous-copy.js';
import { describeError, isProviderError } from '../errors/nimbus-error.js';
import type { Logger } from '../log/logger.js';
import type { StorageProvider } from '../provider/storage-provider.js';
import type { LocalFile } from './local-scanner.js';
import type { ProgressListener } from './progress.js';
import { withRetry, type RetryPolicy } from './retry.js';
import { uploadFile } from './upload-file.js';
import type { StoredFormat } from './stored-format.js';
import type { VersionKeeper } from './version-keeper.js';
import { VERSIONS_FOLDER } from './versions-folder.js';
import type { UploadSessionStore } from '../upload/upload-session-store.js';

export interface DestinationWriterOptions {
  readonly format: StoredFormat;
  readonly retry?: RetryPolicy;
  readonly logger: Logger;
  readonly onProgress?: ProgressListener;
  /** Where chunked uploads are kept so that a killed run resumes them (the cloud database). */
  readonly uploadSessions?: UploadSessionStore;
}

/**
 * The changes every engine makes at the destination, done the safe way: the previous copy
 * is kept as a version before a file is overwritten or deleted (and nothing is changed
 * when that fails), uploads are retried from the start of the file, and versions beyond
 * the retention are purged afterwards. Throws an Error saying why when a change failed.
 */
export class DestinationWriter {
  /** Upload attempts that failed (retried or not): each may have left an incomplete upload behind. */
  failedAttempts = 0;

  private readonly archive: ArchiveGate;

  constructor(
    private readonly provider: StorageProvider,
    private readonly versions: VersionKeeper,
    private readonly options: DestinationWriterOptions,
  ) {
    this.archive = new ArchiveGate(provider, options.logger);
  }

  /** Upload a new file, or (with `previous`) a changed one; resolves to its record. */
  async upload(path: string, absolute: string, file: LocalFile, runId: number, previous?: FileFacts): Promise<FileFacts> {
    const max = this.provider.capabilities.maxObjectSize;
    if (max !== null && file.size > max) throw new Error(`file is ${file.size} bytes, larger than the destination's limit of ${max} bytes`);
    let undo: (() => Promise<void>) | undefined;
    if (previous) {
      try {
        undo = await this.keepVersion(previous, 'update');
      } catch (error) {
        if (error instanceof PreviousCopyArchivedError) throw error;
        throw new Error(`the previous copy could not be kept as a version, so it was not overwritten: ${describeError(error)}`);
      }
    }
    let facts: FileFacts;
    try {
      facts = await withRetry(() => {
        let sentThisAttempt = 0;
        const onBytes = (delta: number) => {
          sentThisAttempt += delta;
          this.options.onProgress?.({ type: 'bytes', path, delta });
        };
        return uploadFile(this.provider, { path, absolute, size: file.size, mtime: file.mtime }, runId, onBytes, this.options.format, this.options.uploadSessions).catch((error) => {
          // The failed attempt may have left parts behind (when the service refused their clean-up too).
          this.failedAttempts++;
          this.options.onProgress?.({ type: 'bytes', path, delta: -sentThisAttempt });
          throw error;
        });
      }, this.options.retry);
    } catch (error) {
      if (undo) await undo().catch((e) => this.options.logger.error(`${path}: the previous copy stays in ${VERSIONS_FOLDER}: ${describeError(e)}`));
      throw error;
    }
    if (previous) await this.purgeVersions(path);
    return facts;
  }

  /** Delete a destination file, keeping it as a version first (moved into $SBV$, or by the provider). */
  async remove(record: FileFacts): Promise<void> {
    try {
      await this.keepVersion(record, 'delete');
    } catch (error) {
      if (error instanceof PreviousCopyArchivedError) throw error;
      throw new Error(`the file could not be kept as a version, so it was not deleted: ${describeError(error)}`);
    }
    // After a move into $SBV$ the object is already gone; delete of a missing object resolves.
    await withRetry(() => this.provider.delete(record.path), this.options.retry);
    await this.purgeVersions(record.path);
  }

  /**
   * Keep the destination copy as a version before it changes. An archived copy can be
   * neither copied nor moved (S3 Glacier answers InvalidObjectState): it is restored first,
   * and until the restore is ready the change waits (PreviousCopyArchivedError) rather than
   * losing the version the profile asks to keep.
   */
  private async keepVersion(record: FileFacts, change: 'update' | 'delete'): Promise<(() => Promise<void>) | undefined> {
    // One time for every attempt: the version's location is derived from it.
    const supersededAt = Date.now();
    const preserve = () => withRetry(() => this.versions.preserve(record, change === 'update', supersededAt), this.options.retry);
    try {
      return await preserve();
    } catch (error) {
      if (!isProviderError(error, 'archived')) throw error;
      const { ready, record: withState } = await withRetry(() => this.archive.prepare(record), this.options.retry);
      if (!ready) throw new PreviousCopyArchivedError(withState, change);
      return preserve();
    }
  }

  private async purgeVersions(path: string): Promise<void> {
    try {
      await withRetry(() => this.versions.purge(path), this.options.retry);
    } catch (error) {
      this.options.logger.warn(`old versions of ${path} could not be purged: ${describeError(error)}`);
    }
  }
}
