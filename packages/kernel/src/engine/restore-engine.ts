import { lstat, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import picomatch from 'picomatch';
import type { CloudDatabase, FileFacts } from '../database/cloud-database.js';
import type { Logger } from '../log/logger.js';
import type { RestoreRequest, StorageProvider } from '../provider/storage-provider.js';
import type { Readable } from 'node:stream';
import { ArchiveGate } from './archive-gate.js';
import { copyCurrentAt } from './point-in-time.js';
import { writeLocalFile } from './download-file.js';
import type { StoredFormat } from './stored-format.js';
import { UNKNOWN_MTIME } from './destination-facts.js';
import type { PlannedAction, ProgressListener } from './progress.js';
import { RecordWriter } from './record-writer.js';
import { reconcileWithListing } from './reconcile.js';
import type { RestoreReport } from './restore-report.js';
import { withRetry, type RetryPolicy } from './retry.js';
import { reportHead, reportTail, type FileFailure } from './report-common.js';
import { recordFailure } from './failure-log.js';
import { WorkQueue } from './work-queue.js';

export interface RestoreOptions {
  readonly profileName: string;
  /** Secret-free description of the destination being restored from. */
  readonly destinationLabel: string;
  /** Absolute folder the files are restored into. */
  readonly target: string;
  /** Globs selecting which paths to restore (all when empty). */
  readonly paths: readonly string[];
  /** Overwrite local files even when they are newer. */
  readonly force: boolean;
  /** Restore the copy of each file that was current at this time (ms), from the versions. */
  readonly at?: number;
  readonly dryRun: boolean;
  readonly transfers: number;
  /** How archived objects are asked back (days, priority, tier). */
  readonly archiveRestore?: RestoreRequest;
  /** Decodes compressed or encrypted objects. */
  readonly format: StoredFormat;
  /** Rebuild the database from a listing first (it is empty or untrusted). */
  readonly listRemote: boolean;
  readonly logger: Logger;
  readonly onProgress?: ProgressListener;
  readonly retry?: RetryPolicy;
}

/**
 * Bring files back from the destination into a folder: the latest copy of each selected
 * file, written atomically (temp file, checked against the recorded size and SHA-256,
 * mtime set, then renamed). A newer local file is never overwritten without `force`.
 * Archived objects go through the ArchiveGate: restore requested, file reported pending.
 */
export class RestoreEngine {
  private readonly counts: RestoreReport['counts'] = {
    considered: 0, restored: 0, unchanged: 0, skippedNewer: 0, pendingArchive: 0, foldersCreated: 0, failed: 0, timesUnknown: 0, hashesUnknown: 0,
  };
  private bytes = 0;
  private readonly failures: FileFailure[] = [];
  private readonly plan: PlannedAction[] = [];
  private readonly writer: RecordWriter;
  private readonly gate: ArchiveGate;
  private readonly queue: WorkQueue;
  private readonly selected: (path: string) => boolean;

  constructor(
    private readonly provider: StorageProvider,
    private readonly db: CloudDatabase,
    private readonly options: RestoreOptions,
  ) {
    this.writer = new RecordWriter(db);
    this.gate = new ArchiveGate(provider, options.logger, options.archiveRestore);
    this.queue = new WorkQueue(options.transfers);
    this.selected = options.paths.length ? picomatch([...options.paths], { dot: true }) : () => true;
  }

  async run(): Promise<RestoreReport> {
    const started = Date.now();
    const runId = await this.db.startRun('restore', started);
    if (this.options.listRemote) await reconcileWithListing(this.provider, this.db, this.writer, runId, this.options.logger);
    const seen = new Set<string>();
    for await (const page of this.db.filesUnder('')) {
      for (const record of page) {
        if (!this.selected(record.path)) continue;
        if (this.options.at !== undefined) seen.add(record.path);
        await this.queue.add(() => this.restoreChosen(record.path, record));
      }
    }
    if (this.options.at !== undefined) {
      // Files deleted since: only their versions in $SBV$ remember them.
      const versionOnly = new Set((await this.db.versionsOf('', true)).map((v) => v.path).filter((p) => !seen.has(p) && this.selected(p)));
      for (const path of versionOnly) await this.queue.add(() => this.restoreChosen(path, undefined));
    }
    await this.queue.drain();
    if (this.options.paths.length === 0) await this.restoreEmptyFolders();
    await this.writer.flush();
    this.counts.failed = this.failures.length;
    const finished = Date.now();
    await this.db.finishRun(
      runId,
      this.failures.length ? 'completed-with-failures' : 'completed',
      { filesUploaded: 0, bytesUploaded: 0, filesDeleted: 0, filesFailed: this.failures.length },
      finished,
    );
    return {
      ...reportHead(this.options.profileName, this.options.dryRun, started, finished),
      mode: 'restore',
      source: this.options.destinationLabel,
      target: this.options.target,
      counts: { ...this.counts },
      bytes: { restored: this.bytes },
      ...reportTail({ failures: this.failures, notes: [], plan: this.options.dryRun ? this.plan : undefined, unfinished: this.counts.pendingArchive > 0 }),
    };
  }

  private localPath(path: string): string {
    return join(this.options.target, ...path.split('/'));
  }

  /** Pick the copy to restore: the current one, or with `at` the one current at that time. */
  private async restoreChosen(path: string, current: FileFacts | undefined): Promise<void> {
    if (this.options.at === undefined) {
      this.counts.considered++;
      return this.restoreFile(current!);
    }
    let chosen;
    try {
      chosen = await copyCurrentAt(this.provider, this.db, path, current, this.options.at);
    } catch (error) {
      return this.fail(path, error);
    }
    if (!chosen) return; // the file did not exist at that time
    this.counts.considered++;
    return this.restoreFile(chosen.record, chosen.open);
  }

  private async restoreFile(record: FileFacts, open?: () => Promise<Readable>): Promise<void> {
    const local = this.localPath(record.path);
    const existing = await lstat(local).catch(() => undefined);
    if (existing) {
      if (!existing.isFile()) return this.fail(record.path, new Error(`${local} exists and is not a file; move it away first`));
      const localMtime = Math.round(existing.mtimeMs);
      if (existing.size === record.size && localMtime === record.mtime) {
        this.counts.unchanged++;
        return;
      }
      if (!this.options.force && record.mtime !== UNKNOWN_MTIME && localMtime > record.mtime) {
        this.counts.skippedNewer++;
        return;
      }
    }
    if (this.options.dryRun) {
      this.plan.push({ action: 'restore', path: record.path, bytes: record.size });
      this.countUnknowns(record);
      this.counts.restored++;
      this.bytes += record.size;
      return;
    }
    try {
      await withRetry(() => this.fetch(record, local, open), this.options.retry);
    } catch (error) {
      this.fail(record.path, error);
    }
  }

  /** One attempt: open (through the archive gate), then write the file atomically. */
  private async fetch(record: FileFacts, local: string, open?: () => Promise<Readable>): Promise<void> {
    const opened = open ? { kind: 'open' as const, stream: await open(), record } : await this.gate.open(record);
    if (opened.record !== record) this.writer.saveFile(opened.record);
    if (opened.kind === 'pending') {
      this.counts.pendingArchive++;
      return;
    }
    const { size } = await writeLocalFile(
      opened.stream,
      local,
      {
        // A record rebuilt from a listing without metadata knows only the stored size of a transformed object.
        ...(record.size >= 0 && (record.compressed || record.encrypted || this.options.format.isPlain) ? { size: record.size } : {}),
        sha256: record.sha256,
        ...(record.mtime !== UNKNOWN_MTIME ? { mtime: record.mtime } : {}),
      },
      (delta) => this.options.onProgress?.({ type: 'bytes', path: record.path, delta }),
      this.options.format.decoder(record),
    );
    this.countUnknowns(record);
    this.counts.restored++;
    this.bytes += size;
    this.options.onProgress?.({ type: 'done', path: record.path, action: 'restore' });
  }

  private countUnknowns(record: FileFacts): void {
    if (record.mtime === UNKNOWN_MTIME) this.counts.timesUnknown++;
    if (!record.sha256) this.counts.hashesUnknown++;
  }

  /** Empty folders the destination keeps (real-folder providers) come back too. */
  private async restoreEmptyFolders(): Promise<void> {
    for (const folder of await this.db.foldersUnder('')) {
      if (!folder.created) continue;
      const local = this.localPath(folder.path);
      if (await lstat(local).catch(() => undefined)) continue;
      if (this.options.dryRun) this.plan.push({ action: 'make-folder', path: folder.path });
      else await mkdir(local, { recursive: true });
      this.counts.foldersCreated++;
    }
  }

  private fail(path: string, error: unknown): void {
    recordFailure(this.failures, this.options, path, 'restore', error);
  }
}
