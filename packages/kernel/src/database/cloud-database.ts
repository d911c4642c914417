import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sqlite3 from 'sqlite3';
import { DataSource, type EntityManager } from 'typeorm';
import { FileRecord } from './entities/file-record.js';
import { FolderRecord } from './entities/folder-record.js';
import { MetaRecord } from './entities/meta-record.js';
import { RunRecord, type RunStatus } from './entities/run-record.js';
import { Initial1764150000001 } from './migrations/0001-initial.js';
import { Versions1764160000002 } from './migrations/0002-versions.js';
import { VersionRecord } from './entities/version-record.js';

/** A file's facts as plain data (what the engine reads and writes). */
export type FileFacts = { -readonly [K in keyof FileRecord]: FileRecord[K] };
export type FolderFacts = { -readonly [K in keyof FolderRecord]: FolderRecord[K] };
export type VersionFacts = Omit<{ -readonly [K in keyof VersionRecord]: VersionRecord[K] }, 'id'> & { id?: number };

export interface RunTotals {
  filesUploaded: number;
  bytesUploaded: number;
  filesDeleted: number;
  filesFailed: number;
}

/** A `files` row as sqlite3 returns it (snake_case columns). */
interface FileRow {
  path: string; dir: string; size: number; mtime: number; sha256: string | null; stored_size: number;
  compressed: number; encrypted: number; remote_mtime: number | null; remote_id: string | null; version_id: string | null;
  archive_status: string | null; restore_requested_at: number | null; restore_expires_at: number | null;
  stored_at: number | null; last_run: number;
}

/**
 * Hot reads (a folder's records, pages of a subtree) skip the ORM's entity hydration, which
 * costs more than the query itself at 100k rows.
 */
function toFacts(r: FileRow): FileFacts {
  return {
    path: r.path, dir: r.dir, size: r.size, mtime: r.mtime, sha256: r.sha256, storedSize: r.stored_size,
    compressed: r.compressed === 1, encrypted: r.encrypted === 1, remoteMtime: r.remote_mtime, remoteId: r.remote_id,
    versionId: r.version_id, archiveStatus: r.archive_status, restoreRequestedAt: r.restore_requested_at,
    restoreExpiresAt: r.restore_expires_at, storedAt: r.stored_at, lastRun: r.last_run,
  };
}

/** Rows per INSERT/DELETE statement: well under SQLite's bound-variable limit. */
const CHUNK = 400;
/** Rows per page when walking a subtree. */
const PAGE = 1000;

const FILE_COLUMNS = [
  'dir', 'size', 'mtime', 'sha256', 'stored_size', 'compressed', 'encrypted', 'remote_mtime',
  'remote_id', 'version_id', 'archive_status', 'restore_requested_at', 'restore_expires_at', 'stored_at', 'last_run',
];

/** Upper bound (exclusive) of paths strictly below `dir`: '0' sorts right after '/'. */
function subtreeRange(dir: string): [string, string] {
  return dir === '' ? ['', '\u{10FFFF}'] : [`${dir}/`, `${dir}0`];
}

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The cloud database of one profile: what the destination holds, as far as Nimbus knows,
 * including what the provider cannot store (original mtime and size, hashes, ids, archive
 * state). Reads go a folder or a page at a time and writes in batched transactions:
 * one query per file does not scale to 100k files.
 */
export class CloudDatabase {
  /** Transactions run one at a time: the sqlite driver has a single connection. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly source: DataSource,
    /** The database's real location (a scratch database never writes there). */
    readonly file: string,
    private readonly scratchDir: string | undefined,
  ) {}

  /**
   * Open (creating and migrating when needed) the database at `file`.
   * With `scratch` (dry runs) the real file is never touched: the run works on a
   * throw-away copy (or an empty in-memory database when there is none yet).
   */
  static async open(file: string, options: { scratch?: boolean } = {}): Promise<CloudDatabase> {
    if (options.scratch) return CloudDatabase.openScratch(file);
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    return new CloudDatabase(await CloudDatabase.connect(file, false), file, undefined);
  }

  private static async openScratch(file: string): Promise<CloudDatabase> {
    if (file === ':memory:' || !existsSync(file)) return new CloudDatabase(await CloudDatabase.connect(':memory:', false), file, undefined);
    const dir = mkdtempSync(join(tmpdir(), 'nimbus-dry-run-'));
    const copy = join(dir, 'cloud.sqlite');
    const original = await CloudDatabase.connect(file, true);
    try {
      // VACUUM INTO works on a read-only connection and yields a consistent copy, WAL included.
      await original.query('VACUUM INTO ?', [copy]);
    } finally {
      await original.destroy();
    }
    return new CloudDatabase(await CloudDatabase.connect(copy, false), file, dir);
  }

  private static async connect(database: string, readOnly: boolean): Promise<DataSource> {
    const source = new DataSource({
      type: 'sqlite',
      database,
      driver: sqlite3,
      entities: [FileRecord, FolderRecord, RunRecord, MetaRecord, VersionRecord],
      migrations: [Initial1764150000001, Versions1764160000002],
      migrationsRun: !readOnly,
      synchronize: false,
      logging: false,
      enableWAL: !readOnly && database !== ':memory:',
      busyErrorRetry: 1000,
      ...(readOnly ? { flags: sqlite3.OPEN_READONLY } : {}),
    });
    await source.initialize();
    if (!readOnly) await source.query('PRAGMA synchronous = NORMAL');
    return source;
  }

  async close(): Promise<void> {
    if (this.source.isInitialized) await this.source.destroy();
    if (this.scratchDir) rmSync(this.scratchDir, { recursive: true, force: true });
  }

  /** A consistent copy of the whole database in `file` (WAL included), e.g. to keep at the destination. */
  async snapshotTo(file: string): Promise<void> {
    await this.exclusive(() => this.source.query('VACUUM INTO ?', [file]));
  }

  // ---- meta ----

  async getMeta(key: string): Promise<string | undefined> {
    const row = await this.source.getRepository(MetaRecord).findOneBy({ key });
    return row?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.source.getRepository(MetaRecord).upsert({ key, value }, ['key']);
  }

  // ---- reads ----

  async isEmpty(): Promise<boolean> {
    const rows: { n: number }[] = await this.source.query('SELECT (SELECT count(*) FROM files) + (SELECT count(*) FROM folders) AS n');
    return rows[0]!.n === 0;
  }

  async countFiles(): Promise<number> {
    return this.source.getRepository(FileRecord).count();
  }

  /** The files directly in `dir`: one query per folder. */
  async filesIn(dir: string): Promise<FileFacts[]> {
    const rows: FileRow[] = await this.source.query('SELECT * FROM files WHERE dir = ?', [dir]);
    return rows.map(toFacts);
  }

  /** The folders directly in `parent`. */
  async foldersIn(parent: string): Promise<FolderFacts[]> {
    return this.source.getRepository(FolderRecord).find({ where: { parent } });
  }

  async getFile(path: string): Promise<FileFacts | undefined> {
    return (await this.source.getRepository(FileRecord).findOneBy({ path })) ?? undefined;
  }

  /** The records for many paths at once (missing ones are simply absent). */
  async getFiles(paths: readonly string[]): Promise<FileFacts[]> {
    const out: FileFacts[] = [];
    for (const part of chunks(paths)) {
      const rows: FileRow[] = await this.source.query(`SELECT * FROM files WHERE path IN (${part.map(() => '?').join(',')})`, part);
      out.push(...rows.map(toFacts));
    }
    return out;
  }

  /** Any one file stored encrypted (to check a password against), if there is one. */
  async anyEncrypted(): Promise<FileFacts | undefined> {
    return (await this.source.getRepository(FileRecord).findOne({ where: { encrypted: true } })) ?? undefined;
  }

  /** Every file below `dir` (recursively), a page at a time, in path order. */
  async *filesUnder(dir: string): AsyncIterable<FileFacts[]> {
    const [low, high] = subtreeRange(dir);
    let after = low;
    let first = true;
    for (;;) {
      const rows: FileRow[] = await this.source.query(
        `SELECT * FROM files WHERE path ${first ? '>=' : '>'} ? AND path < ? ORDER BY path LIMIT ${PAGE}`,
        [after, high],
      );
      const page = rows.map(toFacts);
      if (page.length === 0) return;
      yield page;
      after = page[page.length - 1]!.path;
      first = false;
      if (page.length < PAGE) return;
    }
  }

  /** Every folder at or below `dir`, deepest first (the order to delete them in). */
  async foldersUnder(dir: string): Promise<FolderFacts[]> {
    const [low, high] = subtreeRange(dir);
    const rows = await this.source
      .getRepository(FolderRecord)
      .createQueryBuilder('d')
      .where('(d.path >= :low AND d.path < :high) OR d.path = :dir', { low, high, dir })
      .getMany();
    return rows.sort((a, b) => b.path.length - a.path.length);
  }

  // ---- writes (batched) ----

  /** Insert or replace many file records in one transaction. */
  async saveFiles(records: readonly FileFacts[]): Promise<void> {
    if (records.length === 0) return;
    // Plain SQL: the query builder's parameter handling costs more than sqlite at this size.
    const columns = ['path', ...FILE_COLUMNS];
    const row = `(${columns.map(() => '?').join(',')})`;
    const update = FILE_COLUMNS.map((c) => `"${c}" = excluded."${c}"`).join(', ');
    await this.exclusive(() =>
      this.source.transaction(async (m) => {
        for (const part of chunks(records, Math.floor(CHUNK / 2))) {
          const values = part.flatMap((r) => [
            r.path, r.dir, r.size, r.mtime, r.sha256, r.storedSize, r.compressed ? 1 : 0, r.encrypted ? 1 : 0, r.remoteMtime,
            r.remoteId, r.versionId, r.archiveStatus, r.restoreRequestedAt, r.restoreExpiresAt, r.storedAt, r.lastRun,
          ]);
          await m.query(
            `INSERT INTO files (${columns.map((c) => `"${c}"`).join(',')}) VALUES ${part.map(() => row).join(',')} ON CONFLICT(path) DO UPDATE SET ${update}`,
            values,
          );
        }
      }),
    );
  }

  async removeFiles(paths: readonly string[]): Promise<void> {
    await this.deleteIn(FileRecord, paths);
  }

  async saveFolders(records: readonly FolderFacts[]): Promise<void> {
    await this.upsert(FolderRecord, records, ['parent', 'created', 'last_run']);
  }

  async removeFolders(paths: readonly string[]): Promise<void> {
    await this.deleteIn(FolderRecord, paths);
  }

  /** Drop records a full listing in run `runId` did not confirm (gone from the destination). */
  async removeUnseen(runId: number): Promise<{ files: number; folders: number }> {
    return this.exclusive(() =>
      this.source.transaction(async (m) => {
        const files = await m.createQueryBuilder().delete().from(FileRecord).where('last_run < :runId', { runId }).execute();
        const folders = await m.createQueryBuilder().delete().from(FolderRecord).where('last_run < :runId', { runId }).execute();
        return { files: files.affected ?? 0, folders: folders.affected ?? 0 };
      }),
    );
  }

  /** Forget everything about the destination (it changed, or the user asked). */
  async clear(): Promise<void> {
    await this.exclusive(() => this.source.transaction(async (m: EntityManager) => {
      await m.query('DELETE FROM files');
      await m.query('DELETE FROM folders');
      await m.query('DELETE FROM versions');
    }));
  }

  /** INSERT ... ON CONFLICT(path) DO UPDATE, a few hundred rows per statement, one transaction. */
  private async upsert<T extends FileRecord | FolderRecord>(entity: new () => T, rows: readonly Partial<T>[], columns: string[]): Promise<void> {
    if (rows.length === 0) return;
    await this.exclusive(() =>
      this.source.transaction(async (m) => {
        for (const part of chunks(rows)) {
          await m.createQueryBuilder().insert().into(entity).values(part as never).orUpdate(columns, ['path']).execute();
        }
      }),
    );
  }

  private async deleteIn(entity: typeof FileRecord | typeof FolderRecord, paths: readonly string[]): Promise<void> {
    if (paths.length === 0) return;
    await this.exclusive(() => this.source.transaction(async (m) => {
      for (const part of chunks(paths)) {
        await m.createQueryBuilder().delete().from(entity).where('path IN (:...part)', { part }).execute();
      }
    }));
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  // ---- versions kept in the $SBV$ folder ----

  /** Versions of one file, or of every file at or below `path` when `below` is set; newest first. */
  async versionsOf(path: string, below = false): Promise<VersionFacts[]> {
    const qb = this.source.getRepository(VersionRecord).createQueryBuilder('v');
    if (below && path !== '') {
      const [low, high] = subtreeRange(path);
      qb.where('v.path = :path OR (v.path >= :low AND v.path < :high)', { path, low, high });
    } else if (!below) {
      qb.where('v.path = :path', { path });
    }
    return qb.orderBy('v.path').addOrderBy('v.superseded_at', 'DESC').addOrderBy('v.id', 'DESC').getMany();
  }

  async addVersion(version: VersionFacts): Promise<void> {
    await this.exclusive(() => this.source.getRepository(VersionRecord).insert(version));
  }

  async removeVersions(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.exclusive(() => this.source.getRepository(VersionRecord).delete(ids as number[]));
  }

  // ---- runs ----

  async startRun(mode: string, startedAt: number): Promise<number> {
    const repo = this.source.getRepository(RunRecord);
    const saved = await repo.save(
      repo.create({ mode, startedAt, finishedAt: null, status: 'running', filesUploaded: 0, bytesUploaded: 0, filesDeleted: 0, filesFailed: 0 }),
    );
    return saved.id;
  }

  async finishRun(id: number, status: RunStatus, totals: RunTotals, finishedAt: number): Promise<void> {
    await this.source.getRepository(RunRecord).update({ id }, { status, finishedAt, ...totals });
  }

  async lastRuns(limit = 10): Promise<RunRecord[]> {
    return this.source.getRepository(RunRecord).find({ order: { id: 'DESC' }, take: limit });
  }
}
