import test from 'ava';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { conflictName, type SyncReport } from '@nimbus/kernel';
import { treeDigest, writeTree } from '@nimbus/testkit';
import { destinationDigest, harness, type Harness } from './harness.js';

const T0 = new Date('2025-01-01T00:00:00Z').getTime();
const changes = (r: SyncReport) => r.counts.uploaded + r.counts.downloaded + r.counts.deletedAtDestination + r.counts.deletedAtSource;

async function inSync(t: import('ava').ExecutionContext, h: Harness) {
  t.deepEqual(await destinationDigest(h), await treeDigest(h.source), 'both sides hold the same files');
  t.is(changes(await h.sync()), 0, 'and a further run has nothing to do');
}

test('first sync merges both sides; identical files on both are adopted, not copied', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, { 'local-only.txt': 'L', 'both.txt': { content: 'same', mtime: T0 }, 'dir/l.txt': 'l' });
  await writeTree(h.destination, { 'remote-only.txt': 'R', 'both.txt': { content: 'same', mtime: T0 }, 'dir/r.txt': 'r' });
  const report = await h.sync();
  t.is(report.exitCode, 0, JSON.stringify(report.failures));
  t.is(report.counts.uploaded, 2);
  t.is(report.counts.downloaded, 2);
  t.is(report.counts.conflicts, 0);
  await inSync(t, h);
});

test('changes, additions and deletions on either side propagate; renames arrive as delete + add', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, { 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c', 'd/e.txt': 'e', 'f.txt': 'f', 'g.txt': 'g' });
  await h.sync();
  await writeFile(join(h.source, 'a.txt'), 'a changed locally');
  await writeFile(join(h.destination, 'b.txt'), 'b changed at the destination');
  await rm(join(h.source, 'c.txt'));
  await rm(join(h.destination, 'd/e.txt'));
  await rename(join(h.source, 'f.txt'), join(h.source, 'f-renamed.txt'));
  await writeFile(join(h.destination, 'new-remote.txt'), 'n');
  const report = await h.sync();
  t.is(report.exitCode, 0, JSON.stringify(report));
  t.is(await readFile(join(h.destination, 'a.txt'), 'utf8'), 'a changed locally');
  t.is(await readFile(join(h.source, 'b.txt'), 'utf8'), 'b changed at the destination');
  t.false(existsSync(join(h.destination, 'c.txt')));
  t.false(existsSync(join(h.source, 'd/e.txt')));
  t.false(existsSync(join(h.destination, 'f.txt')));
  t.true(existsSync(join(h.destination, 'f-renamed.txt')));
  t.is(report.counts.deletedAtDestination, 2);
  t.is(report.counts.deletedAtSource, 1);
  // Nothing is lost: the destination's deleted copies are versions, the local one is in the trash.
  t.true(existsSync(join(h.destination, '$SBV$', 'c.txt')));
  const trash = join(h.dataDir, 'profiles', 'test', 'trash');
  const [stamp] = await readdir(trash);
  t.is(await readFile(join(trash, stamp!, 'd', 'e.txt'), 'utf8'), 'e');
  t.true(report.notes.some((n) => n.includes('moved to')));
  await inSync(t, h);
});

async function conflicted(t: import('ava').ExecutionContext, rule: 'newer' | 'source' | 'destination' | 'keep-both', localNewer: boolean) {
  const h = await harness(t);
  await writeTree(h.source, { 'doc.txt': { content: 'original', mtime: T0 } });
  await h.sync({ profile: { conflicts: rule } });
  await writeFile(join(h.source, 'doc.txt'), 'edited at the source');
  await writeFile(join(h.destination, 'doc.txt'), 'edited at the destination!');
  const [older, newer] = [new Date(T0 + 10_000), new Date(T0 + 20_000)];
  await utimes(join(h.source, 'doc.txt'), localNewer ? newer : older, localNewer ? newer : older);
  await utimes(join(h.destination, 'doc.txt'), localNewer ? older : newer, localNewer ? older : newer);
  const report = await h.sync({ profile: { conflicts: rule } });
  t.is(report.counts.conflicts, 1);
  t.is(report.conflicts[0]?.path, 'doc.txt');
  t.is(report.conflicts[0]?.rule, rule);
  return { h, report };
}

test('conflict, rule newer: the newer side wins and the other copy is kept', async (t) => {
  const { h } = await conflicted(t, 'newer', false);
  t.is(await readFile(join(h.source, 'doc.txt'), 'utf8'), 'edited at the destination!');
  const trash = join(h.dataDir, 'profiles', 'test', 'trash');
  const [stamp] = await readdir(trash);
  t.is(await readFile(join(trash, stamp!, 'doc.txt'), 'utf8'), 'edited at the source');
  await inSync(t, h);
});

test('conflict, rule source: the source wins; the destination copy stays as a version', async (t) => {
  const { h, report } = await conflicted(t, 'source', false);
  t.regex(report.conflicts[0]!.outcome, /source's copy won/);
  t.is(await readFile(join(h.destination, 'doc.txt'), 'utf8'), 'edited at the source');
  const [version] = await readdir(join(h.destination, '$SBV$', 'doc.txt'));
  t.is(await readFile(join(h.destination, '$SBV$', 'doc.txt', version!), 'utf8'), 'edited at the destination!');
  await inSync(t, h);
});

test('conflict, rule destination: the destination wins', async (t) => {
  const { h } = await conflicted(t, 'destination', true);
  t.is(await readFile(join(h.source, 'doc.txt'), 'utf8'), 'edited at the destination!');
  await inSync(t, h);
});

test('conflict, rule keep-both: both copies end up on both sides', async (t) => {
  const { h, report } = await conflicted(t, 'keep-both', true);
  const keptAs = /now (.+) on both sides/.exec(report.conflicts[0]!.outcome)![1]!;
  t.regex(keptAs, /^doc \(conflict \d{8}T\d{9}Z\)\.txt$/);
  t.is(await readFile(join(h.source, 'doc.txt'), 'utf8'), 'edited at the source');
  t.is(await readFile(join(h.source, keptAs), 'utf8'), 'edited at the destination!');
  t.is(await readFile(join(h.destination, keptAs), 'utf8'), 'edited at the destination!');
  await inSync(t, h);
});

test('a sync that would delete more than the allowed share stops before changing anything', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, { '1.txt': '1', '2.txt': '2', '3.txt': '3', '4.txt': '4', '5.txt': '5' });
  await h.sync();
  for (const n of [1, 2, 3]) await rm(join(h.source, `${n}.txt`));
  await writeFile(join(h.source, 'new.txt'), 'new');
  const stopped = await h.sync();
  t.true(stopped.stoppedForDeletions);
  t.is(stopped.exitCode, 1);
  t.regex(stopped.notes.join('\n'), /3 of 5 files would be deleted \(more than 50%\): nothing was changed/);
  t.true(existsSync(join(h.destination, '1.txt')));
  t.false(existsSync(join(h.destination, 'new.txt')), 'nothing at all was done');
  const forced = await h.sync({ forceDeletes: true });
  t.is(forced.counts.deletedAtDestination, 3);
  await inSync(t, h);
});

test('conflict names keep the extension', (t) => {
  t.is(conflictName('a/report.txt', 'S'), 'a/report (conflict S).txt');
  t.is(conflictName('Makefile', 'S'), 'Makefile (conflict S)');
  t.is(conflictName('.bashrc', 'S'), '.bashrc (conflict S)');
});
