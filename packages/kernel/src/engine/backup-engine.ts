import { join } from 'node:path';
import type { CompareMethod, VersioningSettings } from '../config/profile.js';
import type { CloudDatabase, FileFacts, FolderFacts } from '../database/cloud-database.js';
import { describeError, isProviderError } from '../errors/nimbus-error.js';
import { PreviousCopyArchivedError } from './archived-previous-copy.js';
import type { Logger } from '../log/logger.js';
import { supports } from '../provider/operations.js';
import { joinPath, parentOf } from '../provider/paths.js';
import type { RemoteEntry } from '../provider/remote-entry.js';
import type { StorageProvider } from '../provider/storage-provider.js';
import { compareWithRecord, sameMtime } from './compare.js';
import { metadataFor, storedObjectFacts } from './destination-facts.js';
import { caseTwinMessage, caseTwins, foldCase } from './case-folding.js';
import { reconcileWithListing } from './reconcile.js';
import { ExistingObjectAdopter } from './adopt-existing.js';
import type { PathFilter } from './filters.js';
import { scanLocalFolder, type LocalFile } from './local-scanner.js';
import type { PlannedAction, ProgressListener } from './progress.js';
import { RecordWriter } from './record-writer.js';
import { withRetry, type RetryPolicy } from './retry.js';
import { reportHead, reportTail, type FileFailure } from './report-common.js';
import type { RunReport } from './run-report.js';
import { DestinationWriter } from './destination-writer.js';
import { hashLocalFile, SourceChangedError } from './upload-file.js';
import type { StoredFormat } from './stored-format.js';
import { VersionKeeper } from './version-keeper.js';
import { RESERVED_FOLDERS } from './reserved-paths.js';
import { recordFailure } from './failure-log.js';
import { WorkQueue } from './work-queue.js';

export interface BackupOptions {
  readonly profileName: string;
  /** Absolute path of the source folder. */
  readonly sourceRoot: string;
  /** Secret-free description of the destination, for the report. */
  readonly destinationLabel: string;
  readonly filter: PathFilter;
  readonly compare: CompareMethod;
  readonly deleteRemoved: boolean;
  readonly versioning: VersioningSettings;
  readonly transfers: number;
  /** How file contents are stored (as is, compressed, encrypted). */
  readonly format: StoredFormat;
  /** Rebuild the database's view from a full listing of the destination before comparing. */
  readonly listRemote: boolean;
  /** Remove leftovers of killed runs (partial uploads) at the end, even if this run had no failure. */
  readonly cleanupIncomplete?: boolean;
  readonly dryRun: boolean;
  readonly logger: Logger;
  readonly onProgress?: ProgressListener;
  readonly retry?: RetryPolicy;
}

type Counts = RunReport['counts'];

/** A folder to visit: its path and whether the database already knew it. */
interface FolderVisit {
  readonly path: string;
  readonly known: boolean;
  /** Where the database knew it before it was renamed by case only (case-insensitive destinations). */
  readonly formerly?: string;
}

/**
 * One-way backup: make the destination hold what the source holds.
 *
 * The walk goes folder by folder: scan one source folder, read the database's records
 * for that folder in one query, decide, and queue transfers; memory stays proportional
 * to one folder plus the transfer queue. Unless asked to list the destination, the
 * cloud database is trusted as the destination's state, so an unchanged rerun makes no
 * request to the provider at all.
 */
export class BackupEngine {
  private readonly counts: Counts = {
    scanned: 0, unchanged: 0, adopted: 0, uploaded: 0, updated: 0, touched: 0, deleted: 0, keptDeleted: 0,
    foldersCreated: 0, foldersRemoved: 0, emptyFoldersSkipped: 0, symlinksSkipped: 0, failed: 0,
  };
  private bytesUploaded = 0;
  private readonly failures: FileFailure[] = [];
  private readonly notes = new Set<string>();
  private readonly plan: PlannedAction[] = [];
  /** Folders gone from the source, removed at the end (deepest first) once emptied. */
  private readonly foldersToRemove: string[] = [];
  private readonly queue: WorkQueue;
  private readonly writer: RecordWriter;
  private readonly versions: VersionKeeper;
  private readonly destination: DestinationWriter;
  private runId = 0;

  constructor(
    private readonly provider: StorageProvider,
    private readonly db: CloudDatabase,
    private readonly options: BackupOptions,
  ) {
    this.queue = new WorkQueue(options.transfers);
    this.writer = new RecordWriter(db);
    this.versions = new VersionKeeper(provider, db, options.versioning, options.logger);
    this.destination = new DestinationWriter(provider, this.versions, { ...options, uploadSessions: db });
  }

  private get precisionMs(): number {
    return this.provider.capabilities.mtime.precisionMs;
  }

  async run(): Promise<RunReport> {
    const started = Date.now();
    this.runId = await this.db.startRun('backup', started);
    this.noteCapabilities();
    if (this.options.listRemote) await this.listDestination();
    await this.walk();
    await this.queue.drain();
    await this.removeGoneFolders();
    await this.writer.flush();
    await this.cleanupLeftovers();
    this.counts.failed = this.failures.length;
    const finished = Date.now();
    const status = this.failures.length ? 'completed-with-failures' : 'completed';
    await this.db.finishRun(
      this.runId,
      status,
      {
        filesUploaded: this.counts.uploaded + this.counts.updated,
        bytesUploaded: this.bytesUploaded,
        filesDeleted: this.counts.deleted,
        filesFailed: this.failures.length,
      },
      finished,
    );
    return {
      ...reportHead(this.options.profileName, this.options.dryRun, started, finished),
      mode: 'backup',
      source: this.options.sourceRoot,
      destination: this.options.destinationLabel,
      counts: { ...this.counts },
      bytes: { uploaded: this.bytesUploaded },
      ...reportTail({ failures: this.failures, notes: this.notes, plan: this.options.dryRun ? this.plan : undefined }),
    };
  }

  /** Rebuild the database's view from a listing, taking over objects that already hold the source's files. */
  private async listDestination(): Promise<void> {
    const { sourceRoot, filter, format, logger } = this.options;
    const adopter = new ExistingObjectAdopter({ sourceRoot, filter, plain: format.isPlain }, this.provider.capabilities);
    await reconcileWithListing(this.provider, this.db, this.writer, this.runId, logger, adopter);
    this.counts.adopted = adopter.adopted;
    if (adopter.replaced) {
      this.notes.add(
        `${adopter.replaced} files at the destination were written by another tool as they are, not in this profile's format ` +
          '(compression or encryption): they are sent again in Nimbus\'s format, and the copies found there kept as versions',
      );
    }
  }

  /**
   * Partial uploads (multipart uploads, segments, temp files) can only be left by a killed
   * run or a failed upload; clear them then, once no write of ours is running.
   */
  private async cleanupLeftovers(): Promise<void> {
    const provider = this.provider;
    if (this.options.dryRun || !supports(provider, 'cleanupIncomplete')) return;
    if (!this.options.cleanupIncomplete && this.destination.failedAttempts === 0) return;
    try {
      const removed = await provider.cleanupIncomplete();
      if (removed) this.options.logger.info(`removed ${removed} incomplete uploads left by an earlier run`);
    } catch (error) {
      this.options.logger.warn(`could not remove incomplete uploads: ${describeError(error)}`);
    }
  }

  /** Say once, up front, which provider limits change how this run works. */
  private noteCapabilities(): void {
    if (this.versions.note) this.notes.add(this.versions.note);
    const caps = this.provider.capabilities;
    if (!caps.metadata && caps.mtime.support === 'none') {
      this.notes.add('the destination keeps neither custom metadata nor modification times: originals\' sizes, times and hashes live in the cloud database only');
    }
  }

  // ---------- the walk ----------

  private async walk(): Promise<void> {
    const stack: FolderVisit[] = [{ path: '', known: true }];
    while (stack.length) {
      const visit = stack.pop()!;
      const subfolders = await this.visitFolder(visit);
      for (let i = subfolders.length - 1; i >= 0; i--) stack.push(subfolders[i]!);
    }
  }

  /** Compare one source folder with its records; returns the subfolders to visit. */
  private async visitFolder(visit: FolderVisit): Promise<FolderVisit[]> {
    const { filter } = this.options;
    const dir = visit.path;
    let listing;
    try {
      listing = await scanLocalFolder(join(this.options.sourceRoot, dir));
    } catch (error) {
      // An unreadable folder is a failure, and its destination copy is left untouched.
      this.fail(dir, 'scan', error);
      return [];
    }
    let files = listing.files.filter((f) => filter.acceptsFile(joinPath(dir, f.name)));
    const reserved = (name: string) => dir === '' && RESERVED_FOLDERS.includes(name);
    const folders = listing.folders.filter((name) => filter.acceptsFolder(joinPath(dir, name)) && !reserved(name)).sort();
    for (const name of listing.folders.filter(reserved)) {
      this.notes.add(`the source folder ${name} at the top is skipped: that name is reserved for Nimbus's own data at the destination`);
    }
    this.counts.symlinksSkipped += listing.symlinks.length;
    for (const p of listing.problems) this.fail(joinPath(dir, p.name), 'scan', p.error);
    this.counts.scanned += files.length;
    this.options.onProgress?.({ type: 'scanned', files: this.counts.scanned });

    const from = visit.formerly ?? dir;
    const [knownFiles, knownFolders] = await Promise.all([this.db.filesIn(from), this.db.foldersIn(from)]);
    // Formerly known by another case: its records move to the new name (the same objects there).
    const records = from === dir ? knownFiles : knownFiles.map((r) => this.rekeyFile(r, joinPath(dir, nameIn(from, r.path))));
    const formerFolder = new Map(knownFolders.map((r) => [nameIn(from, r.path), r.path]));
    const folderRecords = from === dir ? knownFolders : knownFolders.map((r) => this.rekeyFolder(r, joinPath(dir, nameIn(from, r.path))));
    const recordByName = new Map(records.map((r) => [nameIn(dir, r.path), r]));
    const folderByName = new Map(folderRecords.map((r) => [nameIn(dir, r.path), r]));
    // On a case-insensitive destination, names that differ only by case are one object there.
    const caseless = !this.provider.capabilities.caseSensitive;
    const foldedSourceNames = new Set(files.map((f) => foldCase(f.name)));
    if (caseless) files = this.withoutCaseTwins(dir, files, recordByName);
    const fileNames = new Set(files.map((f) => f.name));
    /** Records whose name is no source file's but differs only by case from one: case-only renames. */
    const renamedFrom = new Map(caseless ? records.filter((r) => !fileNames.has(nameIn(dir, r.path))).map((r) => [foldCase(nameIn(dir, r.path)), r]) : []);
    const folderNames = new Set(folders);
    const unreadable = new Set(listing.problems.map((p) => p.name));

    // A name that switched between file and folder: clear the old kind first.
    for (const f of files) if (folderByName.has(f.name)) await this.removeSubtree(joinPath(dir, f.name), true);
    for (const name of folders) {
      const record = recordByName.get(name);
      if (record) {
        await this.deleteFile(record);
        recordByName.delete(name);
      }
    }

    for (const file of files) {
      const path = joinPath(dir, file.name);
      let record = recordByName.get(file.name);
      const renamed = record ? undefined : renamedFrom.get(foldCase(file.name));
      if (renamed) {
        recordByName.delete(nameIn(dir, renamed.path));
        record = await this.renameCase(renamed, path);
        if (!record) continue;
      }
      if (!record) await this.queue.add(() => this.send(path, file));
      else await this.queueIfChanged(path, file, record);
    }

    for (const [name, record] of recordByName) {
      if (fileNames.has(name) || unreadable.has(name) || !filter.acceptsFile(record.path)) continue;
      // Deleting it would delete the source file's object, which has the same name there.
      if (caseless && foldedSourceNames.has(foldCase(name))) continue;
      if (this.options.deleteRemoved) await this.queue.add(() => this.deleteFile(record));
      else this.counts.keptDeleted++;
    }
    // A known folder whose name differs only by case from a source folder's was renamed so.
    const renamedFolders = new Map<string, string>();
    if (caseless) {
      const gone = [...folderByName.keys()].filter((name) => !folderNames.has(name) && !fileNames.has(name));
      for (const name of folders) {
        const former = folderByName.has(name) ? undefined : gone.find((g) => foldCase(g) === foldCase(name));
        if (former !== undefined && !renamedFolders.has(former)) renamedFolders.set(former, name);
      }
    }
    for (const [name, record] of folderByName) {
      if (folderNames.has(name) || fileNames.has(name) || renamedFolders.has(name) || !filter.acceptsFolder(record.path)) continue;
      await this.removeSubtree(record.path, false);
    }
    const formerOf = new Map([...renamedFolders].map(([former, name]) => [name, former]));

    const isEmpty = files.length === 0 && folders.length === 0 && listing.symlinks.length === 0 && listing.problems.length === 0;
    if (dir !== '' && !visit.known) await this.recordNewFolder(dir, isEmpty);
    return folders.map((name) => {
      const path = joinPath(dir, name);
      const renamedFrom = formerOf.get(name);
      const formerly = renamedFrom !== undefined ? formerFolder.get(renamedFrom) : from !== dir && folderByName.has(name) ? formerFolder.get(name) : undefined;
      if (renamedFrom !== undefined) this.rekeyFolder(folderByName.get(renamedFrom)!, path);
      return { path, known: folderByName.has(name) || renamedFrom !== undefined, ...(formerly !== undefined && formerly !== path ? { formerly } : {}) };
    });
  }

  /**
   * Source files whose names differ only by case would overwrite each other at a
   * case-insensitive destination: one is kept (the one the destination holds, else the first
   * by name), each other is a failure naming both.
   */
  private withoutCaseTwins(dir: string, files: LocalFile[], recordByName: ReadonlyMap<string, FileFacts>): LocalFile[] {
    const left = new Set<LocalFile>();
    for (const twin of caseTwins(files, (f) => f.name, (f) => recordByName.has(f.name))) {
      for (const file of twin.left) {
        left.add(file);
        this.fail(joinPath(dir, file.name), 'upload', new Error(caseTwinMessage(joinPath(dir, file.name), joinPath(dir, twin.kept.name))));
      }
    }
    return left.size ? files.filter((f) => !left.has(f)) : files;
  }

  /**
   * A source file renamed by case only, on a case-insensitive destination where both names are
   * one object: an upload plus a delete would delete the file itself, so the object is moved to
   * the new name (or, without server-side move, the name is changed in the database only and
   * the next upload overwrites the same object). Resolves the record under the new name.
   */
  private async renameCase(record: FileFacts, path: string): Promise<FileFacts | undefined> {
    let moved: RemoteEntry | undefined;
    if (supports(this.provider, 'move')) {
      const ok = await this.mutate('rename', `${record.path} -> ${path}`, async () => (moved = await this.provider.move!(record.path, path)));
      if (!ok) return undefined;
      this.notes.add('files renamed by case only at the source were renamed (moved) at the case-insensitive destination');
    }
    const renamed: FileFacts = { ...record, ...(moved ? storedObjectFacts(moved) : {}), path, dir: parentOf(path), lastRun: this.runId };
    this.writer.removeFile(record.path);
    this.writer.saveFile(renamed);
    return renamed;
  }

  /** A file record under the name its folder now has (renamed by case only); the database follows. */
  private rekeyFile(record: FileFacts, path: string): FileFacts {
    const moved = { ...record, path, dir: parentOf(path), lastRun: this.runId };
    this.writer.removeFile(record.path);
    this.writer.saveFile(moved);
    return moved;
  }

  private rekeyFolder(record: FolderFacts, path: string): FolderFacts {
    const moved = { ...record, path, parent: parentOf(path), lastRun: this.runId };
    this.writer.removeFolder(record.path);
    this.writer.saveFolder(moved);
    return moved;
  }

  private async queueIfChanged(path: string, file: LocalFile, record: FileFacts): Promise<void> {
    const verdict = compareWithRecord(file, record, this.options.compare, this.precisionMs);
    if (verdict === 'unchanged') {
      this.counts.unchanged++;
      return;
    }
    if (verdict === 'changed') return this.queue.add(() => this.send(path, file, record));
    await this.queue.add(async () => {
      let hash: string;
      try {
        hash = await hashLocalFile(join(this.options.sourceRoot, path));
      } catch (error) {
        return this.fail(path, 'scan', error);
      }
      if (hash !== record.sha256) return this.send(path, file, record);
      if (sameMtime(file, record, this.precisionMs)) {
        this.counts.unchanged++;
        return;
      }
      await this.touch(path, file, record);
    });
  }

  /** Content is the same, only the mtime moved: correct it without sending the file. */
  private async touch(path: string, file: LocalFile, record: FileFacts): Promise<void> {
    // Where the provider can hold neither, the database alone carries the new mtime.
    const correct = supports(this.provider, 'setMtime')
      ? () => this.provider.setMtime!(path, file.mtime)
      : supports(this.provider, 'setMetadata')
        ? () => this.provider.setMetadata!(path, metadataFor(file.size, file.mtime, record, record.encrypted ? undefined : record.sha256))
        : async () => undefined;
    // An archived object's metadata cannot be rewritten (S3 Glacier refuses the self-copy
    // with InvalidObjectState) and restoring it only for that is not worth hours and a fee:
    // the database alone carries the new mtime, as for providers that hold neither.
    let archived = record.archiveStatus === 'archived' || record.archiveStatus === 'restoring';
    const change = async () => {
      if (archived) return;
      try {
        await correct();
      } catch (error) {
        if (!isProviderError(error, 'archived')) throw error;
        archived = true;
      }
    };
    if (!(await this.mutate('touch', path, change))) return;
    if (archived) {
      this.notes.add(
        'files in archive storage whose modification time changed (content unchanged) keep the new time in the cloud database only: an archived object\'s metadata cannot be rewritten',
      );
    }
    const archiveStatus = archived && !record.archiveStatus ? 'archived' : record.archiveStatus;
    this.writer.saveFile({ ...record, mtime: file.mtime, archiveStatus, lastRun: this.runId });
    this.counts.touched++;
  }

  /** Upload a new file, or (with `previous`) a changed one, keeping the previous copy as a version. */
  private async send(path: string, file: LocalFile, previous?: FileFacts): Promise<void> {
    const action = previous ? 'update' : 'upload';
    this.options.onProgress?.({ type: 'queued', path, bytes: file.size });
    if (this.options.dryRun) this.plan.push({ action, path, bytes: file.size });
    else {
      try {
        this.writer.saveFile(await this.destination.upload(path, join(this.options.sourceRoot, path), file, this.runId, previous));
      } catch (error) {
        if (error instanceof PreviousCopyArchivedError) return this.waitForRestore(error);
        // A new file that vanished while it was read was stored whole from the open file: it must not stay.
        if (error instanceof SourceChangedError && error.vanished && !previous) await this.provider.delete(path).catch(() => undefined);
        return this.fail(path, 'upload', error);
      }
    }
    if (action === 'upload') this.counts.uploaded++;
    else this.counts.updated++;
    this.bytesUploaded += file.size;
    this.options.onProgress?.({ type: 'done', path, action });
  }

  /**
   * The change waits for the restore of an archived destination copy (so it can be kept
   * as a version): not a failure, the record keeps the old facts plus the restore state,
   * so a later run compares again and finishes the change once the copy is readable.
   */
  private waitForRestore(error: PreviousCopyArchivedError): void {
    this.writer.saveFile({ ...error.record, lastRun: this.runId });
    this.notes.add(error.message);
  }

  /** Delete a destination file (kept as a version first). */
  private async deleteFile(record: FileFacts): Promise<void> {
    if (this.options.dryRun) this.plan.push({ action: 'delete', path: record.path });
    else {
      try {
        await this.destination.remove(record);
      } catch (error) {
        if (error instanceof PreviousCopyArchivedError) return this.waitForRestore(error);
        return this.fail(record.path, 'delete', error);
      }
    }
    this.writer.removeFile(record.path);
    this.counts.deleted++;
    this.options.onProgress?.({ type: 'done', path: record.path, action: 'delete' });
  }

  /**
   * A folder gone from the source: delete every file recorded below it, then the folders.
   * With `now`, deletions happen before returning (a file is about to take the folder's name).
   */
  private async removeSubtree(dir: string, now: boolean): Promise<void> {
    if (!this.options.deleteRemoved && !now) {
      for await (const page of this.db.filesUnder(dir)) this.counts.keptDeleted += page.length;
      return;
    }
    for await (const page of this.db.filesUnder(dir)) {
      for (const record of page) {
        if (now) await this.deleteFile(record);
        else await this.queue.add(() => this.deleteFile(record));
      }
    }
    const folders = await this.db.foldersUnder(dir);
    if (now) {
      for (const f of folders) await this.removeFolder(f.path);
    } else {
      this.foldersToRemove.push(...folders.map((f) => f.path));
    }
  }

  private async removeGoneFolders(): Promise<void> {
    const deepestFirst = [...new Set(this.foldersToRemove)].sort((a, b) => b.split('/').length - a.split('/').length);
    for (const path of deepestFirst) await this.removeFolder(path);
  }

  private async removeFolder(path: string): Promise<void> {
    const provider = this.provider;
    if (supports(provider, 'removeFolder')) {
      if (!(await this.mutate('remove-folder', path, () => provider.removeFolder(path)))) return;
      this.counts.foldersRemoved++;
    }
    this.writer.removeFolder(path);
  }

  /** A folder the database did not know: remember it; make it if it is empty and can exist empty. */
  private async recordNewFolder(path: string, isEmpty: boolean): Promise<void> {
    const canHoldEmpty = supports(this.provider, 'makeFolder');
    if (isEmpty && !canHoldEmpty) {
      this.counts.emptyFoldersSkipped++;
      this.notes.add('the destination has virtual folders (object-name prefixes), so empty source folders are not created there');
      return;
    }
    if (isEmpty) {
      if (!(await this.mutate('make-folder', path, () => this.provider.makeFolder!(path)))) return;
      this.counts.foldersCreated++;
    }
    this.writer.saveFolder({ path, parent: parentOf(path), created: isEmpty, lastRun: this.runId });
  }

  /**
   * Change the destination, with retries, or only plan the change in a dry run.
   * Resolves false (after recording the failure) when the change could not be made.
   */
  private async mutate(action: PlannedAction['action'] & FileFailure['operation'], path: string, change: () => Promise<unknown>): Promise<boolean> {
    if (this.options.dryRun) {
      this.plan.push({ action, path });
      return true;
    }
    try {
      await withRetry(change, this.options.retry);
      return true;
    } catch (error) {
      this.fail(path, action, error);
      return false;
    }
  }

  private fail(path: string, operation: FileFailure['operation'], error: unknown): void {
    recordFailure(this.failures, this.options, path, operation, error);
  }
}

/** The name of `path` within its folder `dir`. */
function nameIn(dir: string, path: string): string {
  return path.slice(dir === '' ? 0 : dir.length + 1);
}
