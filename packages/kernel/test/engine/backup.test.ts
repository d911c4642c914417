import test from 'ava';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { treeDigest, writeTree } from '@nimbus/testkit';
import { destinationDigest, harness, transferred } from './harness.js';

const T0 = new Date('2024-03-01T10:00:00.123Z').getTime();

const tree = {
  'README.txt': { content: 'hello', mtime: T0 },
  'docs/a.txt': { content: 'alpha', mtime: T0 },
  'docs/deep/er/b.txt': { content: 'beta', mtime: T0 },
  'odd names/café #1 % + ? &.txt': { content: 'odd', mtime: T0 },
  'empty.bin': { content: '', mtime: T0 },
  'big.bin': { size: 3 * 1024 * 1024 + 17, seed: 7, mtime: T0 },
};

test('first run copies the tree with mtimes; an unchanged rerun transfers nothing; one change transfers one', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, tree);
  const first = await h.run();
  t.is(first.exitCode, 0);
  t.is(first.counts.uploaded, 6);
  t.is(first.bytes.uploaded, 5 + 5 + 4 + 3 + 3 * 1024 * 1024 + 17);
  t.deepEqual(await destinationDigest(h), await treeDigest(h.source));
  t.is(Math.round((await stat(join(h.destination, 'docs/a.txt'))).mtimeMs), T0);

  const second = await h.run();
  t.is(transferred(second), 0);
  t.is(second.counts.unchanged, 6);
  t.is(second.counts.deleted, 0);

  await writeFile(join(h.source, 'docs/a.txt'), 'alpha, changed');
  const third = await h.run();
  t.is(transferred(third), 1);
  t.is(third.counts.updated, 1);
  t.is(await readFile(join(h.destination, 'docs/a.txt'), 'utf8'), 'alpha, changed');
});

test('files and folders deleted at the source are deleted at the destination', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, tree);
  await h.run();
  await unlink(join(h.source, 'README.txt'));
  await rm(join(h.source, 'docs'), { recursive: true });
  const report = await h.run();
  t.is(report.counts.deleted, 3);
  t.is(report.counts.foldersRemoved, 3);
  t.false(existsSync(join(h.destination, 'README.txt')));
  t.false(existsSync(join(h.destination, 'docs')));
  t.deepEqual(await destinationDigest(h), await treeDigest(h.source));
  t.is(transferred(await h.run()), 0);
});

test('deleteRemoved: false keeps destination files whose source is gone', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, tree);
  await h.run({ profile: { deleteRemoved: false } });
  await unlink(join(h.source, 'README.txt'));
  await rm(join(h.source, 'docs'), { recursive: true });
  const report = await h.run({ profile: { deleteRemoved: false } });
  t.is(report.counts.deleted, 0);
  t.is(report.counts.keptDeleted, 3);
  t.true(existsSync(join(h.destination, 'README.txt')));
  t.true(existsSync(join(h.destination, 'docs/deep/er/b.txt')));
});

test('a name that turns from file to folder and back is handled', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, { 'x': 'file', 'y/inner.txt': 'in folder' });
  await h.run();
  await rm(join(h.source, 'x'));
  await rm(join(h.source, 'y'), { recursive: true });
  await writeTree(h.source, { 'x/inner.txt': 'now a folder', 'y': 'now a file' });
  const report = await h.run();
  t.is(report.exitCode, 0, JSON.stringify(report.failures));
  t.deepEqual(await destinationDigest(h), await treeDigest(h.source));
  t.is(transferred(await h.run()), 0);
});

test('excluded paths are neither uploaded nor deleted; includes restrict the files', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, { 'keep.txt': 'k', 'skip.tmp': 's', 'cache/x.txt': 'c', 'sub/keep.txt': 'k2' });
  const profile = { filters: { include: [], exclude: ['**/*.tmp', 'cache/**'] } };
  const report = await h.run({ profile });
  t.is(report.counts.uploaded, 2);
  t.false(existsSync(join(h.destination, 'skip.tmp')));
  t.false(existsSync(join(h.destination, 'cache')));
  // A file already at the destination that the profile now excludes stays there.
  await writeFile(join(h.destination, 'manual.tmp'), 'placed by hand');
  await h.run({ profile, });
  t.true(existsSync(join(h.destination, 'manual.tmp')));
  const only = await h.run({ profile: { filters: { include: ['sub/**'], exclude: [] }, deleteRemoved: false } });
  t.is(only.counts.scanned, 1);
});

test('a dry run writes nothing: no destination, no database, and prints the plan', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, tree);
  const report = await h.run({ dryRun: true });
  t.true(report.dryRun);
  t.is(report.counts.uploaded, 6);
  t.is(report.plan?.filter((a) => a.action === 'upload').length, 6);
  t.false(existsSync(h.destination), 'destination not created');
  t.false(existsSync(h.dataDir), 'no database written');
  // After a real run, a dry run sees only the change.
  await h.run();
  await writeFile(join(h.source, 'README.txt'), 'changed!');
  const dry = await h.run({ dryRun: true });
  t.deepEqual(dry.plan, [{ action: 'update', path: 'README.txt', bytes: 8 }]);
  t.is(await readFile(join(h.destination, 'README.txt'), 'utf8'), 'hello');
  t.is(transferred(await h.run()), 1, 'the dry run did not record anything');
});

test('empty folders are created on a provider with real folders', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, { 'a.txt': 'a', 'empty/': null, 'nested/empty/': null });
  const report = await h.run();
  t.is(report.counts.foldersCreated, 2);
  t.true((await stat(join(h.destination, 'empty'))).isDirectory());
  t.true((await stat(join(h.destination, 'nested/empty'))).isDirectory());
  t.is(report.counts.emptyFoldersSkipped, 0);
  await rm(join(h.source, 'nested'), { recursive: true });
  const again = await h.run();
  t.false(existsSync(join(h.destination, 'nested')));
  t.is(again.counts.foldersRemoved, 2);
});

test('only mtime changed, same content: the record is corrected without an upload', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, tree);
  await h.run();
  const later = new Date(T0 + 86_400_000);
  await utimes(join(h.source, 'docs/a.txt'), later, later);
  const report = await h.run();
  t.is(transferred(report), 0);
  t.is(report.counts.touched, 1);
  t.is(Math.round((await stat(join(h.destination, 'docs/a.txt'))).mtimeMs), later.getTime());
  t.is((await h.run()).counts.touched, 0);
});

test('compare: hash finds a same-size, same-mtime change that size-mtime cannot see', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, tree);
  await h.run();
  await writeFile(join(h.source, 'docs/a.txt'), 'ALPHA');
  await utimes(join(h.source, 'docs/a.txt'), new Date(T0), new Date(T0));
  t.is(transferred(await h.run()), 0, 'size and mtime equal: unchanged by default');
  const report = await h.run({ profile: { compare: 'hash' } });
  t.is(report.counts.updated, 1);
  t.is(await readFile(join(h.destination, 'docs/a.txt'), 'utf8'), 'ALPHA');
});

test('a file that vanishes mid-run is a per-file failure; the rest completes with exit 1', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, tree);
  let removed = false;
  const report = await h.run({
    onProgress: (e) => {
      if (e.type === 'scanned' && !removed) {
        removed = true;
        void unlink(join(h.source, 'README.txt'));
      }
    },
  });
  t.is(report.exitCode, 1);
  t.is(report.counts.failed, 1);
  t.is(report.failures[0]?.path, 'README.txt');
  t.is(report.failures[0]?.operation, 'upload');
  t.is(report.counts.uploaded, 5);
  t.false(existsSync(join(h.destination, 'README.txt')), 'no partial object');
  const rerun = await h.run();
  t.is(rerun.exitCode, 0);
  t.is(transferred(rerun), 0);
});

test('a file that changes while it is read is reported, and sent again next run', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, { 'growing.log': { size: 2 * 1024 * 1024, seed: 1, mtime: T0 }, 'other.txt': 'x' });
  let appended = false;
  const report = await h.run({
    profile: { transfers: 1 },
    onProgress: (e) => {
      if (e.type === 'bytes' && e.path === 'growing.log' && !appended) {
        appended = true;
        void appendFile(join(h.source, 'growing.log'), 'more');
      }
    },
  });
  t.is(report.counts.failed, 1);
  t.regex(report.failures[0]!.error, /changed while it was being read/);
  const rerun = await h.run();
  t.is(rerun.exitCode, 0);
  t.is(transferred(rerun), 1);
  t.deepEqual(await destinationDigest(h), await treeDigest(h.source));
});

test('symbolic links are not followed and are counted', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, { 'real.txt': 'r' });
  const { symlink } = await import('node:fs/promises');
  await symlink(h.source, join(h.source, 'loop'));
  const report = await h.run();
  t.is(report.counts.symlinksSkipped, 1);
  t.is(report.counts.uploaded, 1);
  t.is(report.exitCode, 0);
});

test('a lost database is rebuilt from a listing: with settable mtimes nothing is re-sent', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, tree);
  await h.run();
  await rm(h.dataDir, { recursive: true });
  const report = await h.run();
  t.is(transferred(report), 0);
  t.is(report.counts.unchanged, 6);
});

test('files added at the destination behind Nimbus\'s back are removed on a verifying run', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, tree);
  await h.run();
  await writeFile(join(h.destination, 'stray.txt'), 'stray');
  await rm(join(h.destination, 'docs/a.txt'));
  t.is(transferred(await h.run()), 0, 'trusting the database, nothing is listed');
  const report = await h.run({ profile: { verifyRemote: true } });
  t.is(report.counts.uploaded, 1, 'the missing file is sent again');
  t.is(report.counts.deleted, 1, 'the stray file is removed');
  t.deepEqual(await destinationDigest(h), await treeDigest(h.source));
});

test('a run killed part-way is followed by a listing run', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, tree);
  await h.run();
  // Simulate a killed run: a run left "running" in the database, and a file the run had
  // written without recording it.
  const { CloudDatabase } = await import('@nimbus/kernel');
  const db = await CloudDatabase.open(join(h.dataDir, 'profiles', 'test', 'cloud.sqlite'));
  await db.startRun('backup', Date.now());
  await db.removeFiles(['docs/a.txt']);
  await db.close();
  await writeFile(join(h.destination, 'half-done.txt'), 'left by the killed run');
  const report = await h.run();
  t.is(transferred(report), 0, 'docs/a.txt was recognised from the listing');
  t.is(report.counts.deleted, 1);
  t.false(existsSync(join(h.destination, 'half-done.txt')));
});

test('pointing a profile at another destination resets its database', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, tree);
  await h.run();
  const other = join(h.destination, '..', 'elsewhere');
  await mkdir(other);
  const { validateProfile, runProfile } = await import('@nimbus/kernel');
  const loaded = validateProfile({ name: 'test', source: h.source, destination: { provider: 'local', path: other } }, 'p', '/', 'test');
  const report = await runProfile({ loaded, registry: h.registry, logger: h.logger, env: { NIMBUS_DATA_DIR: h.dataDir } });
  t.is(report.counts.uploaded, 6);
  t.true(h.logger.lines.some((l) => l.level === 'warn' && /database is reset/.test(l.message)));
});
