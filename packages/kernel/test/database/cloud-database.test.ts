import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudDatabase, type FileFacts } from '@nimbus/kernel';

function facts(path: string, run = 1, extra: Partial<FileFacts> = {}): FileFacts {
  const i = path.lastIndexOf('/');
  return {
    path, dir: i < 0 ? '' : path.slice(0, i), size: 10, mtime: 1_700_000_000_123, sha256: null, storedSize: 10,
    compressed: false, encrypted: false, remoteMtime: null, remoteId: null, versionId: null, archiveStatus: null,
    restoreRequestedAt: null, restoreExpiresAt: null, storedAt: null, lastRun: run, ...extra,
  };
}

function tempFile(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-db-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'nested', 'cloud.sqlite');
}

test('a new database is migrated, empty, and keeps meta values', async (t) => {
  const db = await CloudDatabase.open(tempFile(t));
  t.true(await db.isEmpty());
  t.is(await db.getMeta('destination'), undefined);
  await db.setMeta('destination', 'local:/x');
  await db.setMeta('destination', 'local:/y');
  t.is(await db.getMeta('destination'), 'local:/y');
  await db.close();
});

test('records survive reopening, and reads go one folder at a time', async (t) => {
  const file = tempFile(t);
  let db = await CloudDatabase.open(file);
  await db.saveFiles([facts('a.txt'), facts('d/b.txt'), facts('d/c.txt'), facts('d/e/f.txt'), facts('d-x/g.txt')]);
  await db.close();
  db = await CloudDatabase.open(file);
  t.deepEqual((await db.filesIn('')).map((f) => f.path), ['a.txt']);
  t.deepEqual((await db.filesIn('d')).map((f) => f.path).sort(), ['d/b.txt', 'd/c.txt']);
  const got = await db.getFile('d/e/f.txt');
  t.is(got?.mtime, 1_700_000_000_123);
  t.is(got?.compressed, false);
  await db.close();
});

test('saveFiles updates existing rows in place (upsert)', async (t) => {
  const db = await CloudDatabase.open(tempFile(t));
  await db.saveFiles([facts('a.txt', 1, { size: 1 })]);
  await db.saveFiles([facts('a.txt', 2, { size: 2, sha256: 'ab' })]);
  t.is(await db.countFiles(), 1);
  const got = await db.getFile('a.txt');
  t.is(got?.size, 2);
  t.is(got?.sha256, 'ab');
  t.is(got?.lastRun, 2);
  await db.close();
});

test('filesUnder pages through a subtree in path order without leaking siblings', async (t) => {
  const db = await CloudDatabase.open(tempFile(t));
  const inside = Array.from({ length: 2500 }, (_, i) => facts(`top/sub${i % 7}/f${String(i).padStart(5, '0')}`));
  await db.saveFiles([...inside, facts('top-sibling/x'), facts('top0'), facts('topx/y'), facts('top.txt')]);
  const seen: string[] = [];
  let pages = 0;
  for await (const page of db.filesUnder('top')) {
    pages++;
    seen.push(...page.map((f) => f.path));
  }
  t.is(seen.length, 2500);
  t.true(pages >= 3, 'paged');
  t.deepEqual(seen, [...seen].sort());
  t.false(seen.some((p) => !p.startsWith('top/')));
  let all = 0;
  for await (const page of db.filesUnder('')) all += page.length;
  t.is(all, 2504);
  await db.close();
});

test('folders: per parent, subtree deepest first, removal', async (t) => {
  const db = await CloudDatabase.open(tempFile(t));
  const folder = (path: string) => ({ path, parent: path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '', created: false, lastRun: 1 });
  await db.saveFolders(['a', 'a/b', 'a/b/c', 'ab', 'z'].map(folder));
  t.deepEqual((await db.foldersIn('')).map((f) => f.path).sort(), ['a', 'ab', 'z']);
  t.deepEqual((await db.foldersUnder('a')).map((f) => f.path), ['a/b/c', 'a/b', 'a']);
  await db.removeFolders(['a/b/c', 'a/b']);
  t.deepEqual((await db.foldersIn('a')).map((f) => f.path), []);
  await db.close();
});

test('removeUnseen drops what a full listing did not confirm', async (t) => {
  const db = await CloudDatabase.open(tempFile(t));
  await db.saveFiles([facts('old.txt', 1), facts('kept.txt', 2)]);
  const dropped = await db.removeUnseen(2);
  t.is(dropped.files, 1);
  t.deepEqual((await db.filesIn('')).map((f) => f.path), ['kept.txt']);
  await db.close();
});

test('removeFiles deletes in batches larger than one statement', async (t) => {
  const db = await CloudDatabase.open(tempFile(t));
  const many = Array.from({ length: 1234 }, (_, i) => facts(`d/${i}`));
  await db.saveFiles(many);
  await db.removeFiles(many.slice(0, 1200).map((f) => f.path));
  t.is(await db.countFiles(), 34);
  await db.close();
});

test('a scratch (dry-run) database never changes the real file', async (t) => {
  const file = tempFile(t);
  const real = await CloudDatabase.open(file);
  await real.saveFiles([facts('a.txt')]);
  await real.close();
  const scratch = await CloudDatabase.open(file, { scratch: true });
  t.is(await scratch.countFiles(), 1, 'sees the real contents');
  await scratch.saveFiles([facts('b.txt')]);
  await scratch.removeFiles(['a.txt']);
  await scratch.close();
  const again = await CloudDatabase.open(file);
  t.deepEqual((await again.filesIn('')).map((f) => f.path), ['a.txt']);
  await again.close();
});

test('a scratch database for a profile never run creates no file', async (t) => {
  const file = tempFile(t);
  const scratch = await CloudDatabase.open(file, { scratch: true });
  await scratch.saveFiles([facts('a.txt')]);
  await scratch.close();
  const { existsSync } = await import('node:fs');
  t.false(existsSync(file));
});

test('runs are recorded with their totals', async (t) => {
  const db = await CloudDatabase.open(tempFile(t));
  const id = await db.startRun('backup', 1000);
  t.is((await db.lastRuns(1))[0]?.status, 'running');
  await db.finishRun(id, 'completed', { filesUploaded: 3, bytesUploaded: 30, filesDeleted: 1, filesFailed: 0 }, 2000);
  const [run] = await db.lastRuns(1);
  t.is(run?.status, 'completed');
  t.is(run?.filesUploaded, 3);
  t.is(run?.finishedAt, 2000);
  await db.close();
});
