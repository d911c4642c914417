import test from 'ava';
import { cp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { formatReport, formatToolMtime, toolMtimeOf, withToolMtime, z, type RemoteEntry } from '@nimbus/kernel';
import { MemoryProvider, writeTree, type TreeSpec } from '@nimbus/testkit';
import { harness, transferred } from './harness.js';

const T0 = new Date('2023-03-03T03:03:03.123Z').getTime();
const files = 30;
const tree: TreeSpec = Object.fromEntries(
  Array.from({ length: files }, (_, i) => [`dir${i % 3}/file-${i}.txt`, { content: `content of file ${i} `.repeat(20), mtime: T0 + i * 1000 }]),
);

/**
 * An S3-like cloud in memory: listings give size and MD5 (the ETag of a single-part upload)
 * but no custom metadata, which only a HEAD (stat) returns; Last-Modified is the upload time.
 */
function s3Like(options: { md5InListing: boolean }) {
  const cloud = new MemoryProvider();
  const counters = { stats: 0 };
  const capabilities = { ...cloud.capabilities, mtime: { support: 'none' as const, precisionMs: 1000 } };
  const provider = Object.assign(Object.create(cloud) as MemoryProvider, {
    capabilities,
    async *list(dir: string, listOptions?: { recursive?: boolean }) {
      for await (const page of cloud.list(dir, listOptions)) {
        yield page.map(({ metadata: _m, hashes, ...entry }): RemoteEntry => ({ ...entry, ...(options.md5InListing && hashes?.md5 ? { hashes: { md5: hashes.md5 } } : {}) }));
      }
    },
    async stat(path: string) {
      counters.stats++;
      return cloud.stat(path);
    },
  });
  const manifest = { id: 's3like', displayName: 's3like', kernelApi: '^1.0.0', configSchema: z.strictObject({ path: z.string() }), capabilities, connect: async () => provider };
  return { cloud, manifest, counters };
}

/** What `rclone copy` leaves on S3: the bytes as they are and `x-amz-meta-mtime` in decimal seconds. */
async function fillLikeRclone(cloud: MemoryProvider, spec: TreeSpec, withMtime = true): Promise<void> {
  for (const [path, value] of Object.entries(spec)) {
    const { content, mtime } = value as { content: string; mtime: number };
    await cloud.write(path, Readable.from([Buffer.from(content)]), withMtime ? { metadata: { mtime: formatToolMtime(mtime, 'epoch-seconds') } } : {});
  }
}

async function versionCount(cloud: MemoryProvider): Promise<number> {
  let n = 0;
  for (const path of Object.keys(tree)) n += (await cloud.listVersions(path)).filter((v) => !v.isLatest).length;
  return n;
}

test('rclone-style metadata: decimal seconds and RFC 3339 are read; Nimbus writes the style asked', (t) => {
  t.is(toolMtimeOf({ mtime: '1700000000.123456789' }), 1700000000123);
  t.is(toolMtimeOf({ mtime: '1700000000.1235' }), 1700000000124, 'rounded to whole ms as the local scan rounds');
  t.is(toolMtimeOf({ mtime: '1700000000' }), 1700000000000);
  t.is(toolMtimeOf({ mtime: '2023-11-14T22:13:20.123456789Z' }), 1700000000123);
  t.is(toolMtimeOf({ 'goog-reserved-file-mtime': '1700000000' }), 1700000000000);
  t.is(toolMtimeOf({ mtime: 'yesterday' }), undefined);
  t.is(formatToolMtime(1700000000123, 'epoch-seconds'), '1700000000.123000000');
  t.is(formatToolMtime(1700000000123, 'rfc3339'), '2023-11-14T22:13:20.123000000Z');
  t.deepEqual(withToolMtime({ 'nimbus-mtime': '1700000000123', 'nimbus-size': '3' }, 'epoch-seconds'), {
    'nimbus-mtime': '1700000000123', 'nimbus-size': '3', mtime: '1700000000.123000000',
  });
});

test('a destination rclone filled (mtime metadata) is taken over on the first run: nothing sent, no version kept', async (t) => {
  const { cloud, manifest } = s3Like({ md5InListing: false });
  const h = await harness(t, [manifest]);
  await writeTree(h.source, tree);
  await fillLikeRclone(cloud, tree);
  const report = await h.run({ provider: 's3like' });
  t.is(transferred(report), 0, 'no file sent again');
  t.is(report.counts.adopted, files);
  t.is(report.counts.unchanged, files);
  t.is(await versionCount(cloud), 0, 'no copy kept as a version');
  t.regex(formatReport(report), new RegExp(`${files} files already at the destination taken over without upload`));
  t.is(transferred(await h.run({ provider: 's3like' })), 0, 'and the next run trusts the records');
});

test('a free MD5 that matches the local file takes the object over without asking the provider anything more', async (t) => {
  const { cloud, manifest, counters } = s3Like({ md5InListing: true });
  const h = await harness(t, [manifest]);
  await writeTree(h.source, tree);
  await fillLikeRclone(cloud, tree, false); // e.g. copied by a tool that keeps no mtime
  // One file has the same size but other bytes: it must be sent, its old copy kept.
  const changed = 'dir0/file-0.txt';
  const original = (tree[changed] as { content: string }).content;
  await cloud.write(changed, Readable.from([Buffer.from(original.replace('c', 'C'))]));
  const report = await h.run({ provider: 's3like' });
  t.is(report.counts.adopted, files - 1);
  t.is(report.counts.updated, 1, 'the object with other content is sent');
  t.is(report.counts.uploaded, 0);
  t.is(await versionCount(cloud), 2, 'two versions of the changed file: the first fill and the altered copy');
  t.is(counters.stats, 1, 'a HEAD only for the object whose hash did not match');
  const records = await readdir(h.source); // the source is left untouched
  t.deepEqual(records.sort(), ['dir0', 'dir1', 'dir2']);
});

test('with compression, objects another tool wrote are not taken over: sent again in Nimbus format, kept as versions, said in the report', async (t) => {
  const { cloud, manifest } = s3Like({ md5InListing: true });
  const h = await harness(t, [manifest]);
  await writeTree(h.source, tree);
  await fillLikeRclone(cloud, tree);
  const report = await h.run({ provider: 's3like', profile: { compression: true } });
  t.is(report.counts.adopted, 0);
  t.is(report.counts.updated, files);
  t.true(report.notes.some((n) => n.startsWith(`${files} files at the destination were written by another tool`)), report.notes.join('\n'));
  const stat = await cloud.stat('dir0/file-0.txt');
  t.is(stat?.metadata?.['nimbus-stored'], 'c', 'stored in the profile format now');
  t.is((await cloud.listVersions('dir0/file-0.txt')).length, 2, 'the foreign copy is kept as a version');
});

test('plugin-local: a copy of the source (times kept, as rclone copies) is taken over; with compression it is replaced and the old copies kept', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, tree);
  await cp(h.source, h.destination, { recursive: true, preserveTimestamps: true });
  const plain = await h.run();
  t.is(transferred(plain), 0);
  t.is(plain.counts.adopted, files);

  const h2 = await harness(t);
  await writeTree(h2.source, tree);
  await cp(h2.source, h2.destination, { recursive: true, preserveTimestamps: true });
  const compressed = await h2.run({ profile: { compression: true } });
  t.is(compressed.counts.updated, files, 'a plain copy is not this profile\'s format: sent again');
  t.true(compressed.notes.some((n) => /written by another tool/.test(n)));
  const kept = await readdir(join(h2.destination, '$SBV$'), { recursive: true });
  t.true(kept.filter((p) => p.startsWith('dir0/file-0.txt/')).length >= 1, 'the plain copy is kept as a version');
  t.is(transferred(await h2.run({ profile: { compression: true } })), 0, 'then it is unchanged');
});
