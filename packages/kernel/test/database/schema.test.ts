import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sqlite3 from 'sqlite3';
import { CloudDatabase } from '@nimbus/kernel';

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-schema-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function exec(file: string, sql: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, (error) => {
      if (error) return reject(error);
      db.exec(sql, (e) => db.close(() => (e ? reject(e) : resolve())));
    });
  });
}

/** Opens `file` in a fresh Node process (started with `nodeFlags`) and says whether TypeORM got loaded. */
function typeormLoadedOpening(file: string, nodeFlags: string[] = []): boolean {
  const script = `
    import { createRequire } from 'node:module';
    import { CloudDatabase } from '@nimbus/kernel';
    const db = await CloudDatabase.open(${JSON.stringify(file)});
    await db.countFiles();
    await db.close();
    const loaded = Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('/node_modules/typeorm/'));
    process.stdout.write(String(loaded));`;
  return execFileSync(process.execPath, [...nodeFlags, '--input-type=module', '-e', script], { cwd: process.cwd(), encoding: 'utf8' }) === 'true';
}

function migrationNames(file: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (error) => {
      if (error) return reject(error);
      db.all('SELECT name FROM migrations ORDER BY id', (e, rows: { name: string }[]) => db.close(() => (e ? reject(e) : resolve(rows.map((r) => r.name)))));
    });
  });
}

test('a new database file is created by TypeORM migrations in a worker thread; the run itself never loads TypeORM', async (t) => {
  const file = join(tempDir(t), 'cloud.sqlite');
  t.false(typeormLoadedOpening(file), 'creating: TypeORM ran in a worker that has exited');
  t.deepEqual(await migrationNames(file), ['Initial1764150000001', 'Versions1764160000002', 'UploadSessions1764170000003'], 'TypeORM recorded its migrations');
  t.false(typeormLoadedOpening(file), 'the usual run: plain sqlite3, no migration');
});

test('a database of an older schema is migrated through TypeORM, keeping its records', async (t) => {
  const file = join(tempDir(t), 'cloud.sqlite');
  const db = await CloudDatabase.open(file);
  await db.setMeta('destination', 'local:/old');
  await db.close();
  // Back to schema 0001: drop what 0002 added and its entry in TypeORM's migrations table.
  await exec(file, `DROP TABLE versions; ALTER TABLE files DROP COLUMN stored_at; DELETE FROM migrations WHERE name = 'Versions1764160000002';`);

  const again = await CloudDatabase.open(file);
  t.is(await again.getMeta('destination'), 'local:/old');
  t.deepEqual(await again.versionsOf('a.txt'), [], 'the versions table is back');
  await again.close();
  t.false(typeormLoadedOpening(file), 'and it is current now');
});

test('TypeORM migrating in this process leaves sqlite3 quiet: no stack trace captured on every later call', async (t) => {
  // sqlite3.verbose() wraps the Database methods to capture call sites; TypeORM's driver asks for it.
  const run = sqlite3.Database.prototype.run;
  const db = await CloudDatabase.open(':memory:');
  await db.setMeta('destination', 'local:/x');
  t.is(await db.getMeta('destination'), 'local:/x');
  await db.close();
  t.is(sqlite3.Database.prototype.run, run, 'Database#run is the plain one still');
});

test('a process started with Node flags that workers refuse (V8 heap sizes) still creates its database', async (t) => {
  const file = join(tempDir(t), 'cloud.sqlite');
  t.false(typeormLoadedOpening(file, ['--max-semi-space-size=2', '--max-old-space-size=512']));
  t.deepEqual(await migrationNames(file), ['Initial1764150000001', 'Versions1764160000002', 'UploadSessions1764170000003']);
});
