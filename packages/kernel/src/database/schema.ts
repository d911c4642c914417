import { Initial1764150000001 } from './migrations/0001-initial.js';
import { Versions1764160000002 } from './migrations/0002-versions.js';
import { UploadSessions1764170000003 } from './migrations/0003-upload-sessions.js';
import { Worker } from 'node:worker_threads';
import { SqlConnection } from './sql-connection.js';

/** The schema's migrations, oldest first. TypeORM runs them; their names say how far a file is. */
export const MIGRATIONS = [Initial1764150000001, Versions1764160000002, UploadSessions1764170000003];

/** Whether `connection`'s database has every migration applied (TypeORM's `migrations` table). */
export async function isMigrated(connection: SqlConnection): Promise<boolean> {
  try {
    const rows = await connection.all<{ name: string }>('SELECT name FROM migrations');
    const applied = new Set(rows.map((r) => r.name));
    return MIGRATIONS.every((m) => applied.has(new m().name));
  } catch {
    return false; // no migrations table: a new or foreign file
  }
}

/**
 * Create or migrate the database with TypeORM (entities and migrations are its business) and
 * hand back the migrated connection. TypeORM is loaded only here, so the usual run — on a
 * database already at the current schema — never pays for loading it.
 */
export async function migrateWithTypeOrm(database: string): Promise<SqlConnection> {
  const [{ DataSource }, sqlite3, entities] = await Promise.all([import('typeorm'), import('sqlite3'), import('./entities/index.js')]);
  const source = new DataSource({
    type: 'sqlite',
    database,
    driver: quietSqlite3(sqlite3.default),
    entities: entities.ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: true,
    synchronize: false,
    logging: false,
    enableWAL: database !== ':memory:',
    busyErrorRetry: 1000,
  });
  await source.initialize();
  // The sqlite driver's own connection: the same database (an in-memory one has no other way in).
  const raw = (source.driver as unknown as { databaseConnection: import('sqlite3').Database }).databaseConnection;
  return new SqlConnection(raw, () => source.destroy());
}

/**
 * TypeORM's sqlite driver calls `sqlite3.verbose()`, which makes every later sqlite3 call of the
 * process (ours included) capture a stack trace. The same module, minus that switch.
 */
function quietSqlite3(module: typeof import('sqlite3')): typeof import('sqlite3') {
  return Object.create(module, { verbose: { value: () => module } });
}

/**
 * Create or migrate the database file `file` in a worker thread, so that TypeORM's modules and
 * heap (tens of MiB) are gone once it is done, then open it with plain sqlite3.
 */
export async function migrateInWorker(file: string): Promise<SqlConnection> {
  const outcome = await new Promise<{ ok: boolean; message?: string; code?: string }>((resolve, reject) => {
    const worker = startWorker(new URL('./migrate-worker.js', import.meta.url), { file });
    let answer: { ok: boolean; message?: string; code?: string } | undefined;
    worker.once('message', (m) => (answer = m));
    worker.once('error', reject);
    worker.once('exit', (code) => resolve(answer ?? { ok: false, message: `the migration worker stopped (exit code ${code})` }));
  });
  if (!outcome.ok) throw Object.assign(new Error(outcome.message), outcome.code ? { code: outcome.code } : {});
  return SqlConnection.open(file);
}

/**
 * A worker with the process's Node flags (loaders, for one), or with none when the process
 * was started with flags a worker refuses (V8 heap sizes such as --max-semi-space-size, or
 * --input-type, which is for the main script only).
 */
function startWorker(script: URL, workerData: unknown): Worker {
  const flags = process.execArgv.filter((a) => !a.startsWith('--input-type'));
  // A small young generation: the migration makes little garbage, and the worker's heap adds
  // to the run's peak memory while it lives.
  const resourceLimits = { maxYoungGenerationSizeMb: 4 };
  try {
    return new Worker(script, { workerData, execArgv: flags, resourceLimits });
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw error;
    return new Worker(script, { workerData, execArgv: [], resourceLimits });
  }
}
