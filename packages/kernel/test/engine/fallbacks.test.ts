import test from 'ava';
import { existsSync } from 'node:fs';
import { rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MASKS, maskCapabilities, treeDigest, writeTree } from '@nimbus/testkit';
import { destinationDigest, harness, transferred, wrappedLocal } from './harness.js';
import { ProviderError, type StorageProvider } from '@nimbus/kernel';

const T0 = new Date('2023-06-01T08:00:00.500Z').getTime();
const tree = {
  'a.txt': { content: 'a', mtime: T0 },
  'd/b.txt': { content: 'bb', mtime: T0 },
  'd/e/c.txt': { content: 'ccc', mtime: T0 },
  'empty/': null,
};

const noMtime = wrappedLocal('no-mtime', (p) => maskCapabilities(p, MASKS.noMtime));
const virtual = wrappedLocal('virtual', (p) => maskCapabilities(p, MASKS.virtualFolders));
const bare = wrappedLocal('bare', (p) => maskCapabilities(p, MASKS.allFallbacks));

for (const plugin of [noMtime, virtual, bare]) {
  test(`${plugin.id}: backup, unchanged rerun, one change, deletions`, async (t) => {
    const h = await harness(t, [plugin]);
    await writeTree(h.source, tree);
    const first = await h.run({ provider: plugin.id });
    t.is(first.exitCode, 0, JSON.stringify(first.failures));
    t.is(first.counts.uploaded, 3);
    t.deepEqual(await destinationDigest(h), await treeDigest(h.source));
    t.is(transferred(await h.run({ provider: plugin.id })), 0, 'the cloud database remembers what the provider cannot');
    await writeFile(join(h.source, 'd/b.txt'), 'changed');
    t.is(transferred(await h.run({ provider: plugin.id })), 1);
    await rm(join(h.source, 'd'), { recursive: true });
    const report = await h.run({ provider: plugin.id });
    t.is(report.counts.deleted, 2);
    t.false(existsSync(join(h.destination, 'd/e/c.txt')));
  });
}

test('without settable mtime the database keeps the original; the object has its upload time', async (t) => {
  const h = await harness(t, [noMtime]);
  await writeTree(h.source, tree);
  await h.run({ provider: 'no-mtime' });
  const stored = Math.round((await stat(join(h.destination, 'a.txt'))).mtimeMs);
  t.not(stored, T0, 'the provider kept its own time');
  // An mtime-only change is still detected (from the database) and corrected without upload.
  await utimes(join(h.source, 'a.txt'), new Date(T0 + 5000), new Date(T0 + 5000));
  const report = await h.run({ provider: 'no-mtime' });
  t.is(transferred(report), 0);
  t.is(report.counts.touched, 1);
});

test('with neither metadata nor settable mtime, the report says the database carries the facts', async (t) => {
  const h = await harness(t, [bare]);
  await writeTree(h.source, tree);
  const report = await h.run({ provider: 'bare' });
  t.true(report.notes.some((n) => /neither custom metadata nor modification times/.test(n)));
});

test('virtual folders: empty folders are skipped and the report says so', async (t) => {
  const h = await harness(t, [virtual]);
  await writeTree(h.source, tree);
  const report = await h.run({ provider: 'virtual' });
  t.is(report.counts.emptyFoldersSkipped, 1);
  t.is(report.counts.foldersCreated, 0);
  t.true(report.notes.some((n) => /virtual folders/.test(n)));
  t.false(existsSync(join(h.destination, 'empty')));
});

test('a lost database on a provider that keeps neither metadata nor mtime: files are sent again, safely', async (t) => {
  const h = await harness(t, [bare]);
  await writeTree(h.source, tree);
  await h.run({ provider: 'bare' });
  await rm(h.dataDir, { recursive: true });
  const report = await h.run({ provider: 'bare' });
  t.is(report.exitCode, 0);
  t.is(report.counts.updated, 3, 'without the database the originals\' mtimes are unknown');
  t.is(transferred(await h.run({ provider: 'bare' })), 0);
  t.deepEqual(await destinationDigest(h), await treeDigest(h.source));
});

test('an mtime-only change the service refuses because the object is archived is recorded in the database only', async (t) => {
  // Archive tiers refuse changes to an archived object, its metadata and mtime included
  // (Azure: 409 BlobArchived); here the refusal comes for a.txt as a lifecycle rule would cause it.
  const attempts: string[] = [];
  const archiving = wrappedLocal('archiving', (p) => {
    const wrapped: StorageProvider = Object.create(p);
    wrapped.setMtime = async (path, mtime) => {
      attempts.push(path);
      if (path === 'a.txt') throw new ProviderError('archived', `"${path}" is in the Archive tier`);
      return p.setMtime!(path, mtime);
    };
    return wrapped;
  });
  const h = await harness(t, [archiving]);
  await writeTree(h.source, tree);
  t.is((await h.run({ provider: 'archiving' })).exitCode, 0);
  for (const file of ['a.txt', 'd/b.txt']) await utimes(join(h.source, file), new Date(T0 + 7000), new Date(T0 + 7000));
  const report = await h.run({ provider: 'archiving' });
  t.deepEqual(report.failures, []);
  t.is(report.counts.touched, 2);
  t.is(transferred(report), 0);
  t.deepEqual(attempts.sort(), ['a.txt', 'd/b.txt']);
  const again = await h.run({ provider: 'archiving' });
  t.is(again.counts.touched, 0, 'the new mtime of the archived file was recorded');
  await utimes(join(h.source, 'a.txt'), new Date(T0 + 9000), new Date(T0 + 9000));
  t.is((await h.run({ provider: 'archiving' })).counts.touched, 1);
  t.deepEqual(attempts.sort(), ['a.txt', 'd/b.txt'], 'known to be archived now: the service is not asked again');
});
