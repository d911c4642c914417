import { randomUUID } from 'node:crypto';
import { copyFile, lstat, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import pLimit from 'p-limit';
import type { CompareMethod, ConflictRule, VersioningSettings } from '../config/profile.js';
import type { CloudDatabase, FileFacts } from '../database/cloud-database.js';
import type { Logger } from '../log/logger.js';
import { supports } from '../provider/operations.js';
import { joinPath, parentOf } from '../provider/paths.js';
import type { RemoteEntry } from '../provider/remote-entry.js';
import type { RestoreRequest, StorageProvider } from '../provider/storage-provider.js';
import { ArchiveGate } from './archive-gate.js';
import { caseTwinMessage, caseTwins, foldCase } from './case-folding.js';
import { factsFromRemote, storedObjectFacts, UNKNOWN_MTIME } from './destination-facts.js';
import { DestinationWriter } from './destination-writer.js';
import { DOWNLOAD_PREFIX, writeLocalFile } from './download-file.js';
import type { PathFilter } from './filters.js';
import { scanLocalFolder, type LocalFile } from './local-scanner.js';
import type { PlannedAction, ProgressListener } from './progress.js';
import { RecordWriter } from './record-writer.js';
import { sameOriginal } from './same-original.js';
import { withRetry, type RetryPolicy } from './retry.js';
import { listWithRetry } from './listing-with-retry.js';
import { reportHead, reportTail, type FileFailure } from './report-common.js';
import type { SyncConflict, SyncReport } from './sync-report.js';
import { hashLocalFile } from './upload-file.js';
import type { StoredFormat } from './stored-format.js';
import { VersionKeeper } from './version-keeper.js';
import { RESERVED_FOLDERS, isReservedPath } from './reserved-paths.js';
import { versionStamp } from './versions-folder.js';
import { recordFailure } from './failure-log.js';
import { WorkQueue } from './work-queue.js';

export interface SyncOptions {
  readonly profileName: string;
  readonly sourceRoot: string;
  readonly destinationLabel: string;
  readonly filter: PathFilter;
  readonly compare: CompareMethod;
  readonly versioning: VersioningSettings;
  readonly conflicts: ConflictRule;
  readonly maxDeletePercent: number;
  /** Delete even when more than maxDeletePercent of the files would go. */
  readonly forceDeletes: boolean;
  readonly transfers: number;
  /** How archived objects are asked back (days, priority, tier). */
  readonly archiveRestore?: RestoreRequest;
  /** How file contents are stored (as is, compressed, encrypted). */
  readonly format: StoredFormat;
  /** Where local files deleted or replaced by the sync are moved (never destroyed). */
  readonly trashDir: string;
  readonly dryRun: boolean;
  readonly logger: Logger;
  readonly onProgress?: ProgressListener;
  readonly retry?: RetryPolicy;
}

/** How one side moved since the last run (the base record in the cloud database). */
type Change = 'absent' | 'new' | 'same' | 'changed' | 'deleted';

type Action =
  | { kind: 'upload'; path: string; local: LocalFile; base?: FileFacts }
  | { kind: 'download'; path: string; remote: RemoteEntry; base?: FileFacts }
  | { kind: 'delete-remote'; path: string; base: FileFacts }
  | { kind: 'delete-local'; path: string; base: FileFacts }
  | { kind: 'forget'; path: string }
  | { kind: 'adopt'; path: string; local: LocalFile; remote: RemoteEntry; sha256: string }
  | { kind: 'conflict'; path: string; local: LocalFile; remote: RemoteEntry; base?: FileFacts };

/**
 * Two-way sync: changes on either side since the last run go to the other side,
 * deletions too (renames arrive as a delete plus an add). A file changed on both sides is
 * a conflict settled by the profile's rule and always listed in the report. Nothing is
 * destroyed: destination copies are kept as versions, local copies go to the profile's
 * trash folder. A run that would delete more than the allowed share of files stops before
 * changing anything unless forced. Both sides are read in full (the destination is always
 * listed: changes made there are what a sync is for).
 */
export class SyncEngine {
  private readonly counts: SyncReport['counts'] = {
    uploaded: 0, downloaded: 0, deletedAtDestination: 0, deletedAtSource: 0, unchanged: 0, conflicts: 0, failed: 0,
  };
  private readonly bytes = { uploaded: 0, downloaded: 0 };
  private readonly conflicts: SyncConflict[] = [];
  private readonly failures: FileFailure[] = [];
  private readonly notes = new Set<string>();
  private readonly plan: PlannedAction[] = [];
  /** Local files left out because a case twin stands for them at a case-insensitive destination. */
  private readonly caseTwinsLeft = new Set<string>();
  private readonly writer: RecordWriter;
  private readonly destination: DestinationWriter;
  private readonly versions: VersionKeeper;
  private readonly gate: ArchiveGate;
  private readonly queue: WorkQueue;
  private readonly runStamp = versionStamp(Date.now());
  private runId = 0;

  constructor(
    private readonly provider: StorageProvider,
    private readonly db: CloudDatabase,
    private readonly options: SyncOptions,
  ) {
    this.writer = new RecordWriter(db);
    this.versions = new VersionKeeper(provider, db, options.versioning, options.logger);
    this.destination = new DestinationWriter(provider, this.versions, { ...options, uploadSessions: db });
    this.gate = new ArchiveGate(provider, options.logger, options.archiveRestore);
    this.queue = new WorkQueue(options.transfers);
  }

  private get tolerance(): number {
    return Math.max(1, this.provider.capabilities.mtime.precisionMs);
  }

  async run(): Promise<SyncReport> {
    const started = Date.now();
    this.runId = await this.db.startRun('sync', started);
    if (this.versions.note) this.notes.add(this.versions.note);
    const [remote, { files: local, protectedPrefixes }] = await Promise.all([this.listRemote(), this.scanLocal()]);
    const base = new Map<string, FileFacts>();
    for await (const page of this.db.filesUnder('')) for (const r of page) base.set(r.path, r);
    const rekeyed = this.provider.capabilities.caseSensitive ? new Set<string>() : await this.matchCase(local, remote, base);

    const actions: Action[] = [];
    const paths = [...new Set([...local.keys(), ...remote.keys(), ...base.keys()])].sort().filter(
      (path) =>
        !protectedPrefixes.some((p) => path === p || path.startsWith(`${p}/`)) && this.options.filter.acceptsFile(path) && !this.caseTwinsLeft.has(path),
    );
    // Deciding may hash files and ask the destination (files new on both sides): several at once.
    const limit = pLimit(Math.max(1, this.options.transfers));
    const decided = await Promise.all(paths.map((path) => limit(() => this.decide(path, local.get(path), remote.get(path), base.get(path)))));
    decided.forEach((action, i) => {
      const path = paths[i]!;
      if (action) actions.push(action);
      else {
        if (rekeyed.has(path)) this.writer.saveFile({ ...base.get(path)!, lastRun: this.runId });
        this.counts.unchanged++;
      }
    });

    const deletions = actions.filter((a) => a.kind === 'delete-remote' || a.kind === 'delete-local').length;
    const known = Math.max(base.size, 1);
    const stopped = deletions > 0 && (deletions * 100) / known > this.options.maxDeletePercent && !this.options.forceDeletes;
    if (stopped) {
      this.notes.add(
        `${deletions} of ${base.size} files would be deleted (more than ${this.options.maxDeletePercent}%): nothing was changed; run again with --force-deletes if that is intended`,
      );
    } else {
      for (const action of actions) await this.queue.add(() => this.execute(action));
      await this.queue.drain();
    }
    await this.writer.flush();
    this.counts.failed = this.failures.length;
    const finished = Date.now();
    await this.db.finishRun(
      this.runId,
      this.failures.length || stopped ? 'completed-with-failures' : 'completed',
      {
        filesUploaded: this.counts.uploaded,
        bytesUploaded: this.bytes.uploaded,
        filesDeleted: this.counts.deletedAtDestination,
        filesFailed: this.failures.length,
      },
      finished,
    );
    return {
      ...reportHead(this.options.profileName, this.options.dryRun, started, finished),
      mode: 'sync',
      source: this.options.sourceRoot,
      destination: this.options.destinationLabel,
      counts: { ...this.counts },
      bytes: { ...this.bytes },
      conflicts: this.conflicts,
      stoppedForDeletions: stopped,
      ...reportTail({ failures: this.failures, notes: this.notes, plan: this.options.dryRun ? this.plan : undefined, unfinished: stopped }),
    };
  }

  // ---------- reading both sides ----------

  private async listRemote(): Promise<Map<string, RemoteEntry>> {
    const files = new Map<string, RemoteEntry>();
    for await (const page of listWithRetry(this.provider, '', { recursive: true }, this.options.retry)) {
      for (const entry of page) if (entry.kind === 'file' && !isReservedPath(entry.path)) files.set(entry.path, entry);
    }
    return files;
  }

  /** Every source file; folders that cannot be read are protected (nothing below them changes). */
  private async scanLocal(): Promise<{ files: Map<string, LocalFile>; protectedPrefixes: string[] }> {
    const files = new Map<string, LocalFile>();
    const protectedPrefixes: string[] = [];
    const stack = [''];
    let symlinks = 0;
    while (stack.length) {
      const dir = stack.pop()!;
      let listing;
      try {
        listing = await scanLocalFolder(join(this.options.sourceRoot, dir));
      } catch (error) {
        this.fail(dir, 'scan', error);
        protectedPrefixes.push(dir);
        continue;
      }
      symlinks += listing.symlinks.length;
      for (const p of listing.problems) {
        this.fail(joinPath(dir, p.name), 'scan', p.error);
        protectedPrefixes.push(joinPath(dir, p.name));
      }
      for (const f of listing.files) files.set(joinPath(dir, f.name), f);
      for (const name of listing.folders) {
        const path = joinPath(dir, name);
        if (dir === '' && RESERVED_FOLDERS.includes(name)) continue;
        if (this.options.filter.acceptsFolder(path)) stack.push(path);
      }
    }
    if (symlinks) this.notes.add(`${symlinks} symbolic links were not followed`);
    return { files, protectedPrefixes };
  }

  // ---------- names on a case-insensitive destination ----------

  /**
   * On a case-insensitive destination, names that differ only by case are one object there.
   * Local case twins are failures naming both (only one takes part). A local file whose
   * destination object or record differs only by case is matched with it (both maps are
   * re-keyed to the local name, so it is never an upload plus a delete of the same object);
   * when the local side was renamed, the object is renamed (moved) to match. Returns the
   * paths whose record was re-keyed.
   */
  private async matchCase(local: Map<string, LocalFile>, remote: Map<string, RemoteEntry>, base: Map<string, FileFacts>): Promise<Set<string>> {
    const byFolded = <T>(map: Map<string, T>) => {
      const index = new Map<string, string>();
      for (const path of map.keys()) index.set(foldCase(path), path);
      return index;
    };
    for (const twin of caseTwins([...local.keys()], (p) => p, (p) => remote.has(p) || base.has(p))) {
      for (const path of twin.left) {
        local.delete(path);
        this.caseTwinsLeft.add(path);
        this.fail(path, 'upload', new Error(caseTwinMessage(path, twin.kept)));
      }
    }
    const remoteIndex = byFolded(remote);
    const baseIndex = byFolded(base);
    const rekeyed = new Set<string>();
    for (const path of local.keys()) {
      const folded = foldCase(path);
      const baseName = base.has(path) ? undefined : baseIndex.get(folded);
      let record = baseName !== undefined && !local.has(baseName) ? base.get(baseName) : undefined;
      if (record) {
        base.delete(record.path);
        this.writer.removeFile(record.path);
        record = { ...record, path, dir: parentOf(path) };
        base.set(path, record);
        rekeyed.add(path);
      }
      const remoteName = remote.has(path) ? undefined : remoteIndex.get(folded);
      if (remoteName === undefined || local.has(remoteName)) continue;
      let entry = remote.get(remoteName)!;
      remote.delete(remoteName);
      // The record under the local name means the destination's side was renamed: leave its name.
      // Only a file's own name is renamed: a folder renamed by case keeps its name there.
      const localRenamed = (rekeyed.has(path) || !base.has(path)) && parentOf(remoteName) === parentOf(path);
      if (localRenamed && supports(this.provider, 'move')) {
        const unchanged = record !== undefined && this.remoteChange(entry, record) === 'same';
        if (this.options.dryRun) this.plan.push({ action: 'rename', path: `${remoteName} -> ${path}` });
        else {
          try {
            entry = await withRetry(() => this.provider.move!(remoteName, path), this.options.retry);
            this.notes.add('files renamed by case only were renamed (moved) at the case-insensitive destination');
            if (unchanged) base.set(path, { ...record!, ...storedObjectFacts(entry) });
          } catch (error) {
            this.fail(path, 'rename', error);
          }
        }
      }
      remote.set(path, { ...entry, path });
    }
    return rekeyed;
  }

  // ---------- deciding ----------

  private async localChange(local: LocalFile | undefined, base: FileFacts | undefined, path: string): Promise<Change> {
    if (!local) return base ? 'deleted' : 'absent';
    if (!base) return 'new';
    if (local.size !== base.size) return 'changed';
    const mtimeMoved = base.mtime === UNKNOWN_MTIME || Math.abs(local.mtime - base.mtime) >= 1;
    if (!mtimeMoved && this.options.compare !== 'hash') return 'same';
    if (!base.sha256) return mtimeMoved ? 'changed' : 'same';
    return (await hashLocalFile(join(this.options.sourceRoot, path))) === base.sha256 ? 'same' : 'changed';
  }

  private remoteChange(remote: RemoteEntry | undefined, base: FileFacts | undefined): Change {
    if (!remote) return base ? 'deleted' : 'absent';
    if (!base) return 'new';
    const moved =
      remote.size !== base.storedSize ||
      (remote.mtime !== undefined && base.remoteMtime !== null && Math.abs(remote.mtime - base.remoteMtime) >= this.tolerance) ||
      (remote.versionId !== undefined && base.versionId !== null && remote.versionId !== base.versionId);
    return moved ? 'changed' : 'same';
  }

  private async decide(path: string, local?: LocalFile, remote?: RemoteEntry, base?: FileFacts): Promise<Action | undefined> {
    const l = await this.localChange(local, base, path);
    const r = this.remoteChange(remote, base);
    const quiet = (c: Change) => c === 'same' || c === 'absent';
    if (quiet(l) && quiet(r)) return undefined;
    if (l === 'deleted' && r === 'deleted') return { kind: 'forget', path };
    if (l === 'deleted' && r === 'absent') return { kind: 'forget', path };
    if (r === 'deleted' && l === 'absent') return { kind: 'forget', path };
    if ((l === 'new' || l === 'changed') && (r === 'same' || r === 'absent' || r === 'deleted')) {
      return { kind: 'upload', path, local: local!, ...(r === 'same' && base ? { base } : {}) };
    }
    if ((r === 'new' || r === 'changed') && (l === 'same' || l === 'absent' || l === 'deleted')) {
      return { kind: 'download', path, remote: remote!, ...(base ? { base } : {}) };
    }
    if (l === 'deleted' && r === 'same') return { kind: 'delete-remote', path, base: base! };
    if (r === 'deleted' && l === 'same') return { kind: 'delete-local', path, base: base! };
    // Both sides new or changed: identical originals (e.g. a second machine's first sync) are adopted.
    const same = await sameOriginal(this.provider, this.options.format, join(this.options.sourceRoot, path), local!, remote!);
    if (same) return { kind: 'adopt', path, local: local!, remote: same.remote, sha256: same.sha256 };
    return { kind: 'conflict', path, local: local!, remote: remote!, ...(base ? { base } : {}) };
  }

  // ---------- doing ----------

  private async execute(action: Action): Promise<void> {
    const { path } = action;
    const planned = (a: PlannedAction['action'], bytes?: number) => this.plan.push({ action: a, path, ...(bytes !== undefined ? { bytes } : {}) });
    try {
      switch (action.kind) {
        case 'forget':
          this.writer.removeFile(path);
          return;
        case 'adopt':
          // Already the same on both sides: nothing moves, so it counts as unchanged.
          this.writer.saveFile(this.recordFor(action.remote, action.local, action.sha256));
          this.counts.unchanged++;
          return;
        case 'upload':
          if (this.options.dryRun) planned('upload', action.local.size);
          else await this.upload(path, action.local, action.base);
          this.counts.uploaded++;
          this.bytes.uploaded += action.local.size;
          return;
        case 'download':
          if (this.options.dryRun) planned('restore', action.remote.size);
          else if (!(await this.download(path, action.remote, action.base))) return;
          this.counts.downloaded++;
          return;
        case 'delete-remote':
          if (this.options.dryRun) planned('delete');
          else await this.destination.remove(action.base);
          this.writer.removeFile(path);
          this.counts.deletedAtDestination++;
          return;
        case 'delete-local':
          if (this.options.dryRun) planned('delete');
          else await this.toTrash(path);
          this.writer.removeFile(path);
          this.counts.deletedAtSource++;
          return;
        case 'conflict':
          // Counted once, as a conflict (whichever copy moved to settle it), when settled.
          if (await this.settle(action)) this.counts.conflicts++;
          return;
      }
    } catch (error) {
      const operation = action.kind === 'upload' ? 'upload' : action.kind === 'delete-remote' || action.kind === 'delete-local' ? 'delete' : 'restore';
      this.fail(path, operation, error);
    }
  }

  private async upload(path: string, local: LocalFile, previous?: FileFacts): Promise<void> {
    this.options.onProgress?.({ type: 'queued', path, bytes: local.size });
    this.writer.saveFile(await this.destination.upload(path, join(this.options.sourceRoot, path), local, this.runId, previous));
  }

  /** Bring the destination's copy down (the local copy, if any, goes to the trash first). */
  private async download(path: string, remote: RemoteEntry, base?: FileFacts, as = path): Promise<boolean> {
    const facts = { ...factsFromRemote(remote, this.provider.capabilities, this.runId), ...(base ? pickArchive(base) : {}) };
    const opened = await this.gate.open(facts);
    if (opened.kind === 'pending') {
      this.writer.saveFile(opened.record);
      this.fail(path, 'restore', new Error('it is in archive storage: a restore was requested; it will come down on a later run'));
      return false;
    }
    const absolute = join(this.options.sourceRoot, as);
    const temp = await this.stage(opened.stream, absolute, facts, path);
    if (await lstat(absolute).catch(() => undefined)) await this.toTrash(as);
    await rename(temp.file, absolute);
    const st = await lstat(absolute);
    const local = { name: as, size: st.size, mtime: Math.round(st.mtimeMs) };
    this.bytes.downloaded += st.size;
    if (as === path) this.writer.saveFile(this.recordFor(remote, local, temp.sha256));
    return true;
  }

  /** Download into a temp file beside the target (checked), ready to be renamed into place. */
  private async stage(stream: NodeJS.ReadableStream, absolute: string, facts: FileFacts, path: string) {
    // Named like any unfinished download, so scans never take it for a source file.
    const staged = join(dirname(absolute), `${DOWNLOAD_PREFIX}staged-${randomUUID()}`);
    const decoder = this.options.format.decoder(facts);
    const { sha256 } = await writeLocalFile(
      stream as never,
      staged,
      { ...(decoder ? {} : { size: facts.storedSize }), ...(facts.mtime !== UNKNOWN_MTIME ? { mtime: facts.mtime } : {}) },
      (delta) => this.options.onProgress?.({ type: 'bytes', path, delta }),
      decoder,
    );
    return { file: staged, sha256 };
  }

  /** Settle a conflict by the profile's rule; false when it could not be (the failure is recorded). */
  private async settle(action: Extract<Action, { kind: 'conflict' }>): Promise<boolean> {
    const { path, local, remote, base } = action;
    const rule = this.options.conflicts;
    const remoteMtime = (() => {
      const m = factsFromRemote(remote, this.provider.capabilities, this.runId).mtime;
      return m !== UNKNOWN_MTIME ? m : (remote.mtime ?? 0);
    })();
    const sourceWins = rule === 'source' || (rule === 'newer' && local.mtime >= remoteMtime);
    if (rule === 'keep-both') {
      const keptAs = conflictName(path, this.runStamp);
      this.conflicts.push({ path, rule, outcome: `kept both: the destination's copy is now ${keptAs} on both sides` });
      if (this.options.dryRun) {
        this.plan.push({ action: 'restore', path: keptAs }, { action: 'update', path });
        return true;
      }
      if (!(await this.download(path, remote, base, keptAs))) return false;
      const kept = await lstat(join(this.options.sourceRoot, keptAs));
      await this.upload(keptAs, { name: keptAs, size: kept.size, mtime: Math.round(kept.mtimeMs) });
      await this.upload(path, local, this.baseFromRemote(remote, base));
      this.bytes.uploaded += kept.size + local.size;
      return true;
    }
    this.conflicts.push({ path, rule, outcome: sourceWins ? "the source's copy won; the destination's is kept as a version" : "the destination's copy won; the source's went to the trash" });
    if (this.options.dryRun) {
      this.plan.push({ action: sourceWins ? 'update' : 'restore', path });
      return true;
    }
    if (!sourceWins) return this.download(path, remote, base);
    await this.upload(path, local, this.baseFromRemote(remote, base));
    this.bytes.uploaded += local.size;
    return true;
  }

  /** The record to version the destination's current copy by, before it is replaced. */
  private baseFromRemote(remote: RemoteEntry, base?: FileFacts): FileFacts {
    return { ...factsFromRemote(remote, this.provider.capabilities, this.runId), ...(base ? { storedAt: base.storedAt } : {}) };
  }

  private recordFor(remote: RemoteEntry, local: LocalFile, sha256: string): FileFacts {
    return {
      ...factsFromRemote(remote, this.provider.capabilities, this.runId),
      ...storedObjectFacts(remote),
      path: remote.path,
      dir: parentOf(remote.path),
      size: local.size,
      mtime: local.mtime,
      sha256,
      storedAt: remote.mtime ?? Date.now(),
    };
  }

  /** Local files are never destroyed by a sync: they move to the profile's trash folder. */
  private async toTrash(path: string): Promise<void> {
    const from = join(this.options.sourceRoot, ...path.split('/'));
    const to = join(this.options.trashDir, this.runStamp, ...path.split('/'));
    await mkdir(dirname(to), { recursive: true });
    try {
      await rename(from, to);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      await copyFile(from, to);
      await rm(from);
    }
    this.notes.add(`local files deleted or replaced by the sync were moved to ${join(this.options.trashDir, this.runStamp)}`);
  }

  private fail(path: string, operation: FileFailure['operation'], error: unknown): void {
    recordFailure(this.failures, this.options, path, operation, error);
  }
}

function pickArchive(base: FileFacts): Partial<FileFacts> {
  return { archiveStatus: base.archiveStatus, restoreRequestedAt: base.restoreRequestedAt, restoreExpiresAt: base.restoreExpiresAt };
}

/** `report.txt` → `report (conflict 20261126T110305123Z).txt` */
export function conflictName(path: string, stamp: string): string {
  const ext = extname(path);
  const stem = ext && ext.length < path.length ? path.slice(0, -ext.length) : path;
  return `${stem} (conflict ${stamp})${stem === path ? '' : ext}`;
}
