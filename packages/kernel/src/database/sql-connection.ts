import sqlite3 from 'sqlite3';

export type SqlValue = string | number | null;

/**
 * One sqlite3 connection, promised: the hot paths of the cloud database speak SQL to the
 * driver directly (an ORM's query building and entity hydration cost more than sqlite itself
 * at 100k rows). `release` closes what opened the connection (the driver, or the TypeORM
 * data source that migrated it).
 */
export class SqlConnection {
  constructor(
    private readonly db: sqlite3.Database,
    private readonly release: () => Promise<void>,
  ) {}

  /** Open `file` as it is (no creation, no migration); rejects when it cannot be opened. */
  static open(file: string, options: { readOnly?: boolean } = {}): Promise<SqlConnection> {
    const mode = options.readOnly ? sqlite3.OPEN_READONLY : sqlite3.OPEN_READWRITE;
    return new Promise((resolve, reject) => {
      const db: sqlite3.Database = new sqlite3.Database(file, mode, (error) => {
        if (error) return reject(error);
        resolve(new SqlConnection(db, () => new Promise((done, fail) => db.close((e) => (e ? fail(e) : done())))));
      });
    });
  }

  all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return new Promise((resolve, reject) => this.db.all(sql, params, (error, rows) => (error ? reject(error) : resolve(rows as T[]))));
  }

  /** A statement that returns no rows: how many rows it changed, and the last inserted row id. */
  run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number; lastId: number }> {
    return new Promise((resolve, reject) =>
      this.db.run(sql, params, function (this: sqlite3.RunResult, error: Error | null) {
        if (error) reject(error);
        else resolve({ changes: this.changes, lastId: this.lastID });
      }),
    );
  }

  /** `work` inside BEGIN … COMMIT, rolled back if it throws. Callers serialise transactions. */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    await this.run('BEGIN');
    try {
      const result = await work();
      await this.run('COMMIT');
      return result;
    } catch (error) {
      await this.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  close(): Promise<void> {
    return this.release();
  }
}
