import test, { type ExecutionContext } from 'ava';
import { existsSync } from 'node:fs';
import { rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatSyncReport, MINIMAL_CAPABILITIES, z, type PluginManifest, type ProfileInput, type StorageProvider, type SyncReport } from '@nimbus/kernel';
import { maskCapabilities, MemoryProvider, treeDigest, writeTree } from '@nimbus/testkit';
import { harness, type Harness } from './harness.js';

/** Every scanned path is in exactly one count of a sync report. */
const counted = (r: SyncReport) =>
  r.counts.uploaded + r.counts.downloaded + r.counts.deletedAtDestination + r.counts.deletedAtSource + r.counts.unchanged + r.counts.conflicts + r.counts.failed;

const twentyFiles = () => Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`notes/file-${i}.txt`, `the same text on both machines, file ${i}\n`.repeat(i + 1)]));

const formats: Record<string, Partial<ProfileInput>> = {
  'stored as is': {},
  compressed: { compression: true },
  encrypted: { encryption: { password: 'correct horse battery' } },
  'compressed and encrypted': { compression: true, encryption: { password: 'correct horse battery' } },
};

/** A second machine: its own source folder and cloud database, the first machine's destination. */
async function secondMachine(t: ExecutionContext, first: Harness): Promise<Harness & { syncHere: (profile?: Partial<ProfileInput>) => Promise<SyncReport> }> {
  const h = await harness(t);
  const syncHere = (profile: Partial<ProfileInput> = {}) => h.sync({ profile: { destination: { provider: 'local', path: first.destination }, ...profile } });
  return Object.assign(h, { syncHere });
}

for (const [name, profile] of Object.entries(formats)) {
  test(`two machines with identical folders (${name}): the second's first sync adopts every file, moves nothing and counts each once`, async (t) => {
    const first = await harness(t);
    await writeTree(first.source, twentyFiles());
    const one = await first.sync({ profile });
    t.is(one.counts.uploaded, 20, JSON.stringify(one.failures));

    const second = await secondMachine(t, first);
    await writeTree(second.source, twentyFiles()); // same contents, later mtimes
    const before = await treeDigest(second.source);
    const two = await second.syncHere(profile);
    t.deepEqual(two.failures, []);
    t.deepEqual(two.conflicts, [], 'identical files are not conflicts');
    t.like(two.counts, { uploaded: 0, downloaded: 0, conflicts: 0, unchanged: 20, deletedAtSource: 0, deletedAtDestination: 0 });
    t.regex(formatSyncReport(two), /0 up .*, 0 down .*20 unchanged, 0 conflicts/);
    t.deepEqual(await treeDigest(second.source), before, 'the local copies stay where they are');
    t.false(existsSync(join(second.dataDir, 'profiles', 'test', 'trash')), 'nothing went to the trash');

    const again = await second.syncHere(profile);
    t.like(again.counts, { uploaded: 0, downloaded: 0, conflicts: 0, unchanged: 20 }, 'adopted files are recorded: the next run has nothing to do');
  });
}

test('two machines, compressed and encrypted: a same-size file with other content is still a conflict', async (t) => {
  const profile = formats['compressed and encrypted']!;
  const first = await harness(t);
  await writeTree(first.source, { 'a.txt': 'AAAA', 'b.txt': 'same' });
  await first.sync({ profile });
  const second = await secondMachine(t, first);
  await writeTree(second.source, { 'a.txt': 'BBBB', 'b.txt': 'same' });
  const two = await second.syncHere({ ...profile, conflicts: 'source' });
  t.deepEqual(two.conflicts.map((c) => c.path), ['a.txt']);
  t.like(two.counts, { conflicts: 1, unchanged: 1, uploaded: 0, downloaded: 0 });
});

test('every scanned file is in exactly one count of the sync report', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, { 'same.txt': 's', 'up.txt': 'u', 'gone-here.txt': 'g', 'gone-there.txt': 'x', 'both.txt': 'b' });
  await h.sync();
  await writeFile(join(h.source, 'up.txt'), 'u changed');
  await writeFile(join(h.destination, 'down.txt'), 'new at the destination');
  await rm(join(h.source, 'gone-here.txt'));
  await rm(join(h.destination, 'gone-there.txt'));
  await writeFile(join(h.source, 'both.txt'), 'changed here');
  await writeFile(join(h.destination, 'both.txt'), 'changed there!');
  await utimes(join(h.destination, 'both.txt'), new Date(), new Date(Date.now() + 60_000));
  await writeTree(h.source, { 'new-here.txt': 'n', 'identical.txt': 'i' });
  await writeTree(h.destination, { 'identical.txt': 'i' });
  const report = await h.sync();
  t.deepEqual(report.failures, []);
  t.like(report.counts, { uploaded: 2, downloaded: 1, deletedAtDestination: 1, deletedAtSource: 1, unchanged: 2, conflicts: 1, failed: 0 });
  t.is(counted(report), 8, 'same, up, down, gone-here, gone-there, both, new-here, identical: each once');
});

/**
 * One in-memory store with metadata but no free hashes, shared by both machines, that counts
 * reads of object contents.
 */
function sharedMemoryStore(freeHashes = false) {
  const cloud = new MemoryProvider();
  let reads = 0;
  const seen: StorageProvider = maskCapabilities(cloud, freeHashes ? {} : { hashes: [] });
  const read = seen.read.bind(seen);
  seen.read = (path, options) => {
    reads++;
    return read(path, options);
  };
  const manifest: PluginManifest = {
    id: 'shared-memory',
    displayName: 'In-memory store shared by two machines',
    kernelApi: '^1.0.0',
    configSchema: z.strictObject({ path: z.string() }),
    capabilities: seen.capabilities ?? MINIMAL_CAPABILITIES,
    connect: async () => seen,
  };
  return { manifest, cloud, reads: () => reads };
}

for (const [name, profile] of Object.entries(formats)) {
  const encrypted = profile.encryption !== undefined;
  test(`two machines over a store with metadata (${name}): ${encrypted ? 'no plaintext hash is stored, the original is decoded and hashed' : "the original's hash in the metadata is enough: no object is read"}`, async (t) => {
    const store = sharedMemoryStore();
    const first = await harness(t, [store.manifest]);
    await writeTree(first.source, twentyFiles());
    t.is((await first.sync({ provider: 'shared-memory', profile })).counts.uploaded, 20);
    const metadata = (await store.cloud.stat('notes/file-3.txt'))!.metadata!;
    t.is(metadata['nimbus-sha256'] !== undefined, !encrypted, encrypted ? 'an encrypted object carries no plaintext hash' : 'the original hash is in the metadata');

    const second = await harness(t, [store.manifest]);
    await writeTree(second.source, twentyFiles());
    const readsBefore = store.reads();
    const two = await second.sync({ provider: 'shared-memory', profile });
    t.deepEqual(two.failures, []);
    t.like(two.counts, { uploaded: 0, downloaded: 0, conflicts: 0, unchanged: 20 });
    if (encrypted) t.true(store.reads() - readsBefore >= 20, 'each object was read to decode it');
    else t.is(store.reads() - readsBefore, 0, 'no object was read');
  });
}

test("two machines, compressed, over a store with free SHA-256 hashes: the stored bytes' hash is not taken for the original's", async (t) => {
  const store = sharedMemoryStore(true);
  const profile = { compression: true };
  const files = { 'big.txt': 'a compressible line of text\n'.repeat(60_000) }; // above the small-file size: no hash in the metadata
  const first = await harness(t, [store.manifest]);
  await writeTree(first.source, files);
  await first.sync({ provider: 'shared-memory', profile });
  const second = await harness(t, [store.manifest]);
  await writeTree(second.source, files);
  const two = await second.sync({ provider: 'shared-memory', profile });
  t.deepEqual(two.conflicts, []);
  t.like(two.counts, { uploaded: 0, downloaded: 0, conflicts: 0, unchanged: 1 });
});
