import test from 'ava';
import { existsSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  formatRestoreReport,
  oneOffProfile,
  oneOffRestoreProfile,
  rebuildProfileDatabase,
  restoreProfile,
  runBackup,
  validateProfile,
  type ProfileInput,
} from '@nimbus/kernel';
import { MASKS, maskCapabilities, treeDigest, writeTree } from '@nimbus/testkit';
import { harness, wrappedLocal, type Harness } from './harness.js';

/**
 * "My laptop died": a new machine restores from a destination that keeps neither metadata nor
 * modification times, so only the copy of the cloud database kept there knows the originals'
 * times and hashes.
 */
const T0 = new Date('2021-01-02T03:04:05.678Z').getTime();
const tree = { 'a.txt': { content: 'a', mtime: T0 }, 'd/b.txt': { content: 'bb', mtime: T0 + 1000 }, 'd/e/c.txt': { content: 'ccc', mtime: T0 + 2000 } };
const bare = () => wrappedLocal('bare', (p) => maskCapabilities(p, MASKS.allFallbacks));

async function restoreOnNewMachine(h: Harness, profile: Partial<ProfileInput> & { name: string }, dataDir: string, into: string) {
  const loaded = validateProfile({ source: h.source, destination: { provider: 'bare', path: h.destination }, ...profile }, 'new machine', '/', profile.name);
  return restoreProfile({ loaded, registry: h.registry, target: into, env: { NIMBUS_DATA_DIR: dataDir } });
}

async function mtimesOf(root: string): Promise<number[]> {
  return Promise.all(Object.keys(tree).map(async (p) => Math.round((await stat(join(root, p))).mtimeMs)));
}

const originalTimes = Object.values(tree).map((f) => f.mtime);

test('restore on a new machine starts from the database copy at the destination, whatever the restoring profile is called', async (t) => {
  const h = await harness(t, [bare()]);
  await writeTree(h.source, tree);
  await h.run({ provider: 'bare', profile: { remoteDatabaseCopy: true } });
  const into = join(h.dataDir, '..', 'restored');
  const newData = join(h.dataDir, '..', 'new-data');
  const loaded = validateProfile({ name: 'laptop', source: h.source, destination: { provider: 'bare', path: h.destination } }, 'new machine', '/', 'laptop');
  const dry = await restoreProfile({ loaded, registry: h.registry, target: into, dryRun: true, env: { NIMBUS_DATA_DIR: newData } });
  t.is(dry.counts.restored, 3, 'a dry run plans from the copy too');
  t.is(dry.counts.timesUnknown, 0);
  t.false(existsSync(join(newData, 'profiles', 'laptop', 'cloud.sqlite')), 'and writes no database');
  // A hand-written profile on the new machine: another name, no remoteDatabaseCopy, no local database.
  const report = await restoreOnNewMachine(h, { name: 'laptop' }, newData, into);
  t.is(report.counts.restored, 3);
  t.deepEqual(await mtimesOf(into), originalTimes, 'original modification times, from the copy');
  t.is(report.counts.timesUnknown, 0);
  t.is(report.counts.hashesUnknown, 0);
  t.deepEqual(await treeDigest(into), await treeDigest(h.source));
});

test('a local database that does not know the destination is replaced by the copy kept there', async (t) => {
  const h = await harness(t, [bare()]);
  await writeTree(h.source, tree);
  await h.run({ provider: 'bare', profile: { remoteDatabaseCopy: true } });
  const newData = join(h.dataDir, '..', 'new-data');
  // The same profile name was used on this machine for another destination.
  const elsewhere = join(h.dataDir, '..', 'elsewhere');
  await restoreOnNewMachine(h, { name: 'laptop', destination: { provider: 'bare', path: elsewhere } }, newData, join(h.dataDir, '..', 'scratch'));
  t.true(existsSync(join(newData, 'profiles', 'laptop', 'cloud.sqlite')));
  const into = join(h.dataDir, '..', 'restored');
  const report = await restoreOnNewMachine(h, { name: 'laptop' }, newData, into);
  t.deepEqual(await mtimesOf(into), originalTimes);
  t.is(report.counts.timesUnknown, 0);
});

test('without any copy, the report counts files restored without their time or hash, in text and JSON', async (t) => {
  const h = await harness(t, [bare()]);
  await writeTree(h.source, tree);
  await h.run({ provider: 'bare' });
  const report = await restoreOnNewMachine(h, { name: 'laptop' }, join(h.dataDir, '..', 'new-data'), join(h.dataDir, '..', 'restored'));
  t.is(report.counts.restored, 3);
  t.is(report.counts.timesUnknown, 3);
  t.is(report.counts.hashesUnknown, 3);
  t.regex(formatRestoreReport(report), /note: 3 files restored without their original modification time/);
  t.is((JSON.parse(JSON.stringify(report)) as typeof report).counts.timesUnknown, 3);
});

test('db rebuild without a local database starts from the copy at the destination', async (t) => {
  const h = await harness(t, [bare()]);
  await writeTree(h.source, tree);
  await h.run({ provider: 'bare', profile: { remoteDatabaseCopy: true } });
  await rm(h.dataDir, { recursive: true });
  const loaded = validateProfile({ name: 'test', source: h.source, destination: { provider: 'bare', path: h.destination } }, 'p', '/', 'test');
  const rebuilt = await rebuildProfileDatabase({ loaded, registry: h.registry, env: { NIMBUS_DATA_DIR: h.dataDir } });
  t.is(rebuilt.files, 3);
  t.is(rebuilt.withKnownMtime, 3, 'times from the copy, not lost to the listing');
  t.is(rebuilt.startedFromCopy, '$NIMBUS$/test.sqlite');
});

test('what a one-off backup wrote comes back with `restore <provider>:<target>`, times included, on a machine that never saw it', async (t) => {
  const h = await harness(t, [bare()]);
  await writeTree(h.source, tree);
  const backup = await oneOffProfile(h.source, `bare:${h.destination}`, h.registry, {}, h.source);
  t.true(backup.profile.remoteDatabaseCopy, 'the destination keeps no times: the one-off backup keeps its database there');
  await runBackup({ loaded: backup, registry: h.registry, env: { NIMBUS_DATA_DIR: h.dataDir } });
  const into = join(h.dataDir, '..', 'restored');
  const loaded = await oneOffRestoreProfile(`bare:${h.destination}`, h.registry, {}, '/');
  const restoreEnv = { NIMBUS_DATA_DIR: join(h.dataDir, '..', 'new-data') };
  const report = await restoreProfile({ loaded, registry: h.registry, target: into, freshDatabase: true, env: restoreEnv });
  t.is(report.counts.restored, 3);
  t.deepEqual(await mtimesOf(into), originalTimes);
  t.is(report.counts.timesUnknown, 0);
  t.deepEqual(await treeDigest(into), await treeDigest(h.source));

  // Backed up again since: the next restore from the target sees the new file (its database is never stale).
  await writeTree(h.source, { 'later.txt': { content: 'later', mtime: T0 + 5000 } });
  await runBackup({ loaded: backup, registry: h.registry, env: { NIMBUS_DATA_DIR: h.dataDir } });
  const again = await restoreProfile({ loaded, registry: h.registry, target: into, freshDatabase: true, env: restoreEnv });
  t.is(again.counts.restored, 1, 'only the new file');
  t.is(again.counts.unchanged, 3);
  t.is(Math.round((await stat(join(into, 'later.txt'))).mtimeMs), T0 + 5000);
});
