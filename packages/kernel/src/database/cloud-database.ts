import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { RunStatus } from './entities/run-record.js';
import {
  FILE_COLUMNS, fileValues, toFileFacts, toFolderFacts, toRunFacts, toSavedUploadSession, toVersionFacts,
  type UploadPartRow, type UploadSessionRow, type FileFacts, type FileRow, type FolderFacts, type FolderRow, type RunFacts, type RunRow, type VersionFacts, type VersionRow,
} from './row-mappers.js';
import { isMigrated, migrateInWorker, migrateWithTypeOrm } from './schema.js';
import { SqlConnection, type SqlValue } from './sql-connection.js';
import type { PartReceipt } from '../upload/chunked-upload-protocol.js';
import type { SavedUploadSession, UploadSessionStore } from '../upload/upload-session-store.js';

export type { FileFacts, FolderFacts, RunFacts, VersionFacts } from './row-mappers.js';
export type { RunStatus } from './entities/run-record.js';

export interface RunTotals {
  filesUploaded: number;
  bytesUploaded: number;
  filesDeleted: number;
  filesFailed: number;
}

let migrationsInThisProcess = 0;

/** Rows per INSERT/DELETE statement: well under SQLite's bound-variable limit. */
const CHUNK = 400;
/** Rows per page when walking a subtree. */
const PAGE = 1000;

const FILE_UPSERT = (() => {
  const columns = ['path', ...FILE_COLUMNS];
  const row = `(${columns.map(() => '?').join(',')})`;
  const update = FILE_COLUMNS.map((c) => `"${c}" = excluded."${c}"`).join(', ');
  return (rows: number) =>
    `INSERT INTO files (${columns.map((c) => `"${c}"`).join(',')}) VALUES ${Array(rows).fill(row).join(',')} ON CONFLICT(path) DO UPDATE SET ${update}`;
})();

/** Upper bound (exclusive) of paths strictly below `dir`: '0' sorts right after '/'. */
function subtreeRange(dir: string): [string, string] {
  return dir === '' ? ['', '\u{10FFFF}'] : [`${dir}/`, `${dir}0`];
}

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const marks = (n: number) => Array(n).fill('?').join(',');

/**
 * The cloud database of one profile: what the destination holds, as far as Nimbus knows,
 * including what the provider cannot store (original mtime and size, hashes, ids, archive
 * state). Reads go a folder or a page at a time and writes in batched transactions:
 * one query per file does not scale to 100k files. TypeORM owns the schema (entities,
 * migrations) and is loaded only when a file must be created or migrated, in a worker thread
 * that exits when done; everything else is plain SQL on the sqlite3 connection.
 */
export class CloudDatabase implements UploadSessionStore {
  /** Transactions run one at a time: the sqlite driver has a single connection. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly sql: SqlConnection,
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
    return new CloudDatabase(await CloudDatabase.connect(file), file, undefined);
  }

  private static async openScratch(file: string): Promise<CloudDatabase> {
    if (file === ':memory:' || !existsSync(file)) return new CloudDatabase(await CloudDatabase.connect(':memory:'), file, undefined);
    const dir = mkdtempSync(join(tmpdir(), 'nimbus-dry-run-'));
    const copy = join(dir, 'cloud.sqlite');
    const original = await SqlConnection.open(file, { readOnly: true });
    try {
      // VACUUM INTO works on a read-only connection and yields a consistent copy, WAL included.
      await original.run('VACUUM INTO ?', [copy]);
    } finally {
      await original.close();
    }
    return new CloudDatabase(await CloudDatabase.connect(copy), file, dir);
  }

  /** The file at the current schema: opened as it is when it already is, else through TypeORM's migrations. */
  private static async connect(database: string): Promise<SqlConnection> {
    let connection: SqlConnection | undefined;
    if (database !== ':memory:' && existsSync(database)) {
      connection = await SqlConnection.open(database);
      if (!(await isMigrated(connection))) {
        await connection.close();
        connection = undefined;
      }
    }
    // A one-shot run sheds TypeORM's memory by migrating in a worker; a process that creates
    // many databases (an embedding application, a test suite) keeps TypeORM loaded after the
    // first instead of paying for loading it each time.
    connection ??= database !== ':memory:' && migrationsInThisProcess++ === 0 ? await migrateInWorker(database) : await migrateWithTypeOrm(database);
    if (database !== ':memory:') {
      await connection.run('PRAGMA journal_mode = WAL');
      await connection.run('PRAGMA synchronous = NORMAL');
    }
    // Another process (a second run of the profile is refused by its lock, but a `nimbus db`
    // command may read) waits instead of failing at once.
    await connection.run('PRAGMA busy_timeout = 10000');
    return connection;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.sql.close();
    if (this.scratchDir) rmSync(this.scratchDir, { recursive: true, force: true });
  }

  /** A consistent copy of the whole database in `file` (WAL included), e.g. to keep at the destination. */
  async snapshotTo(file: string): Promise<void> {
    await this.exclusive(() => this.sql.run('VACUUM INTO ?', [file]));
  }

  // ---- meta ----

  async getMeta(key: string): Promise<string | undefined> {
    const [row] = await this.sql.all<{ value: string }>('SELECT value FROM meta WHERE key = ?', [key]);
    return row?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.exclusive(() => this.sql.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', [key, value]));
  }

  // ---- reads ----

  async isEmpty(): Promise<boolean> {
    const rows = await this.sql.all<{ n: number }>('SELECT (SELECT count(*) FROM files) + (SELECT count(*) FROM folders) AS n');
    return rows[0]!.n === 0;
  }

  async countFiles(): Promise<number> {
    return (await this.sql.all<{ n: number }>('SELECT count(*) AS n FROM files'))[0]!.n;
  }

  /** The files directly in `dir`: one query per folder. */
  async filesIn(dir: string): Promise<FileFacts[]> {
    return (await this.sql.all<FileRow>('SELECT * FROM files WHERE dir = ?', [dir])).map(toFileFacts);
  }

  /** The folders directly in `parent`. */
  async foldersIn(parent: string): Promise<FolderFacts[]> {
    return (await this.sql.all<FolderRow>('SELECT * FROM folders WHERE parent = ?', [parent])).map(toFolderFacts);
  }

  async getFile(path: string): Promise<FileFacts | undefined> {
    const [row] = await this.sql.all<FileRow>('SELECT * FROM files WHERE path = ?', [path]);
    return row ? toFileFacts(row) : undefined;
  }

  /** The records for many paths at once (missing ones are simply absent). */
  async getFiles(paths: readonly string[]): Promise<FileFacts[]> {
    const out: FileFacts[] = [];
    for (const part of chunks(paths)) {
      const rows = await this.sql.all<FileRow>(`SELECT * FROM files WHERE path IN (${marks(part.length)})`, part);
      for (const row of rows) out.push(toFileFacts(row));
    }
    return out;
  }

  /** Any one file stored encrypted (to check a password against), if there is one. */
  async anyEncrypted(): Promise<FileFacts | undefined> {
    const [row] = await this.sql.all<FileRow>('SELECT * FROM files WHERE encrypted = 1 LIMIT 1');
    return row ? toFileFacts(row) : undefined;
  }

  /** Every file below `dir` (recursively), a page at a time, in path order. */
  async *filesUnder(dir: string): AsyncIterable<FileFacts[]> {
    const [low, high] = subtreeRange(dir);
    let after = low;
    let first = true;
    for (;;) {
      const rows = await this.sql.all<FileRow>(
        `SELECT * FROM files WHERE path ${first ? '>=' : '>'} ? AND path < ? ORDER BY path LIMIT ${PAGE}`,
        [after, high],
      );
      const page = rows.map(toFileFacts);
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
    const rows = await this.sql.all<FolderRow>('SELECT * FROM folders WHERE (path >= ? AND path < ?) OR path = ?', [low, high, dir]);
    return rows.map(toFolderFacts).sort((a, b) => b.path.length - a.path.length);
  }

  // ---- writes (batched) ----

  /** Insert or replace many file records in one transaction. */
  async saveFiles(records: readonly FileFacts[]): Promise<void> {
    if (records.length === 0) return;
    await this.exclusive(() =>
      this.sql.transaction(async () => {
        for (const part of chunks(records, Math.floor(CHUNK / 2))) await this.sql.run(FILE_UPSERT(part.length), part.flatMap(fileValues));
      }),
    );
  }

  async removeFiles(paths: readonly string[]): Promise<void> {
    await this.deleteIn('files', paths);
  }

  async saveFolders(records: readonly FolderFacts[]): Promise<void> {
    if (records.length === 0) return;
    await this.exclusive(() =>
      this.sql.transaction(async () => {
        for (const part of chunks(records)) {
          await this.sql.run(
            `INSERT INTO folders (path, parent, created, last_run) VALUES ${part.map(() => '(?,?,?,?)').join(',')}
             ON CONFLICT(path) DO UPDATE SET parent = excluded.parent, created = excluded.created, last_run = excluded.last_run`,
            part.flatMap((f) => [f.path, f.parent, f.created ? 1 : 0, f.lastRun]),
          );
        }
      }),
    );
  }

  async removeFolders(paths: readonly string[]): Promise<void> {
    await this.deleteIn('folders', paths);
  }

  /** Drop records a full listing in run `runId` did not confirm (gone from the destination). */
  async removeUnseen(runId: number): Promise<{ files: number; folders: number }> {
    return this.exclusive(() =>
      this.sql.transaction(async () => {
        const files = await this.sql.run('DELETE FROM files WHERE last_run < ?', [runId]);
        const folders = await this.sql.run('DELETE FROM folders WHERE last_run < ?', [runId]);
        return { files: files.changes, folders: folders.changes };
      }),
    );
  }

  /** Forget everything about the destination (it changed, or the user asked). */
  async clear(): Promise<void> {
    await this.exclusive(() =>
      this.sql.transaction(async () => {
        await this.sql.run('DELETE FROM files');
        await this.sql.run('DELETE FROM folders');
        await this.sql.run('DELETE FROM versions');
      }),
    );
  }

  private async deleteIn(table: 'files' | 'folders', paths: readonly string[]): Promise<void> {
    if (paths.length === 0) return;
    await this.exclusive(() =>
      this.sql.transaction(async () => {
        for (const part of chunks(paths)) await this.sql.run(`DELETE FROM ${table} WHERE path IN (${marks(part.length)})`, part);
      }),
    );
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  // ---- versions kept in the $SBV$ folder ----

  /** Versions of one file, or of every file at or below `path` when `below` is set; newest first. */
  async versionsOf(path: string, below = false): Promise<(VersionFacts & { id: number })[]> {
    let where = '';
    let params: SqlValue[] = [];
    if (below && path !== '') {
      const [low, high] = subtreeRange(path);
      where = 'WHERE path = ? OR (path >= ? AND path < ?)';
      params = [path, low, high];
    } else if (!below) {
      where = 'WHERE path = ?';
      params = [path];
    }
    const rows = await this.sql.all<VersionRow>(`SELECT * FROM versions ${where} ORDER BY path, superseded_at DESC, id DESC`, params);
    return rows.map(toVersionFacts);
  }

  async addVersion(version: VersionFacts): Promise<void> {
    const columns = ['path', 'location', 'stored_at', 'superseded_at', 'size', 'mtime', 'sha256', 'stored_size', 'compressed', 'encrypted'];
    const values: SqlValue[] = [
      version.path, version.location, version.storedAt, version.supersededAt, version.size, version.mtime, version.sha256,
      version.storedSize, version.compressed ? 1 : 0, version.encrypted ? 1 : 0,
    ];
    if (version.id !== undefined) {
      columns.unshift('id');
      values.unshift(version.id);
    }
    await this.exclusive(() => this.sql.run(`INSERT INTO versions (${columns.join(',')}) VALUES (${marks(values.length)})`, values));
  }

  async removeVersions(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.exclusive(() =>
      this.sql.transaction(async () => {
        for (const part of chunks(ids)) await this.sql.run(`DELETE FROM versions WHERE id IN (${marks(part.length)})`, part);
      }),
    );
  }

  // ---- runs ----

  async startRun(mode: string, startedAt: number): Promise<number> {
    const { lastId } = await this.exclusive(() =>
      this.sql.run(
        `INSERT INTO runs (mode, started_at, finished_at, status, files_uploaded, bytes_uploaded, files_deleted, files_failed)
         VALUES (?, ?, NULL, 'running', 0, 0, 0, 0)`,
        [mode, startedAt],
      ),
    );
    return lastId;
  }

  async finishRun(id: number, status: RunStatus, totals: RunTotals, finishedAt: number): Promise<void> {
    await this.exclusive(() =>
      this.sql.run(
        'UPDATE runs SET status = ?, finished_at = ?, files_uploaded = ?, bytes_uploaded = ?, files_deleted = ?, files_failed = ? WHERE id = ?',
        [status, finishedAt, totals.filesUploaded, totals.bytesUploaded, totals.filesDeleted, totals.filesFailed, id],
      ),
    );
  }

  async lastRuns(limit = 10): Promise<RunFacts[]> {
    return (await this.sql.all<RunRow>('SELECT * FROM runs ORDER BY id DESC LIMIT ?', [limit])).map(toRunFacts);
  }

  // ---- chunked uploads in progress (resumed by a later run) ----

  /** The session saved for `path`, with its acknowledged parts: two queries, once per big file. */
  async findUploadSession(path: string): Promise<SavedUploadSession | undefined> {
    const [row] = await this.sql.all<UploadSessionRow>('SELECT * FROM upload_sessions WHERE path = ?', [path]);
    if (!row) return undefined;
    const parts = await this.sql.all<UploadPartRow>('SELECT * FROM upload_parts WHERE path = ? ORDER BY number', [path]);
    return toSavedUploadSession(row, parts);
  }

  async saveUploadSession(session: Omit<SavedUploadSession, 'parts'>): Promise<void> {
    await this.exclusive(() =>
      this.sql.transaction(async () => {
        await this.sql.run('DELETE FROM upload_parts WHERE path = ?', [session.path]);
        await this.sql.run(
          'INSERT INTO upload_sessions (path, source, state, part_size, started_at) VALUES (?, ?, ?, ?, ?) ' +
            'ON CONFLICT(path) DO UPDATE SET source = excluded.source, state = excluded.state, part_size = excluded.part_size, started_at = excluded.started_at',
          [session.path, session.source, session.state, session.partSize, session.startedAt],
        );
      }),
    );
  }

  /** One write per part: parts are at least several MiB, so this is far from the hot path. */
  async addUploadPart(path: string, part: PartReceipt): Promise<void> {
    await this.exclusive(() =>
      this.sql.run('INSERT OR REPLACE INTO upload_parts (path, number, size, digest, token) VALUES (?, ?, ?, ?, ?)', [
        path,
        part.number,
        part.size,
        part.digest ?? null,
        part.token,
      ]),
    );
  }

  async removeUploadSession(path: string): Promise<void> {
    await this.exclusive(() =>
      this.sql.transaction(async () => {
        await this.sql.run('DELETE FROM upload_parts WHERE path = ?', [path]);
        await this.sql.run('DELETE FROM upload_sessions WHERE path = ?', [path]);
      }),
    );
  }
}
