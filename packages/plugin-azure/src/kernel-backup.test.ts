import { treeDigest, writeTree } from '@nimbus/testkit';
import test from 'ava';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { freshContainer, testAccount } from './test-support/azurite-account.js';
import { kernelRuns } from './test-support/kernel-runs.js';

const MiB = 1024 * 1024;
const BIG = 200 * MiB;
const T0 = Date.UTC(2022, 1, 3, 4, 5, 6, 789);

const TREE = {
  'odd #%+?&=;,/é ü.txt': { content: 'odd', mtime: T0 },
  "quote'semi;colon,comma.txt": 'q',
  'brackets [1] (2) {3}.txt': 'b',
  'double  space .txt': 'd',
  'unicode 日本語/☃ 😀.txt': 'u',
  'nfc/caf\u00e9.txt': 'composed',
  'nfd/cafe\u0301.txt': 'decomposed',
  'Case.txt': 'upper',
  'case.txt': 'lower',
  'empty.txt': '',
  'deep/er/empty-too.bin': '',
  'big/200mb.bin': { size: BIG, seed: 'azure-big', mtime: T0 },
};

async function digests(stream: Readable): Promise<{ sha256: string; md5: string; size: number }> {
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  let size = 0;
  for await (const chunk of stream) {
    sha256.update(chunk as Buffer);
    md5.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: sha256.digest('hex'), md5: md5.digest('hex'), size };
}

test('a backup with odd names, empty files and a 200 MB file reads back byte for byte with the SDK; a rerun sends nothing', async (t) => {
  const { server } = await testAccount();
  const container = await freshContainer('kernel');
  t.teardown(container.cleanup);
  const runs = await kernelRuns(t, {
    accountName: server.accountName,
    accountKey: server.accountKey,
    serviceUrl: server.blobEndpoint,
    container: container.name,
    prefix: 'tree',
  });
  await writeTree(runs.source, TREE);
  const expected = await treeDigest(runs.source);

  let peakRss = 0;
  const baseline = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 25);
  const started = Date.now();
  const first = await runs.backup();
  clearInterval(sampler);
  const seconds = (Date.now() - started) / 1000;
  t.log(`first backup: ${seconds.toFixed(1)} s, ${(BIG / MiB / seconds).toFixed(0)} MiB/s; RSS grew by at most ${((peakRss - baseline) / MiB).toFixed(0)} MiB`);
  t.deepEqual(first.failures, []);
  t.is(first.counts.uploaded, Object.keys(TREE).length);
  t.true(peakRss - baseline < 150 * MiB, `the 200 MB file streamed (RSS grew ${((peakRss - baseline) / MiB).toFixed(0)} MiB)`);

  // Read back with @azure/storage-blob directly, not through Nimbus.
  const stored = new Map<string, string>();
  for await (const blob of container.client.listBlobsFlat({ prefix: 'tree/' })) {
    const download = await container.client.getBlobClient(blob.name).download();
    const got = await digests(download.readableStreamBody as Readable);
    stored.set(blob.name.slice('tree/'.length), got.sha256);
    t.is(got.size, blob.properties.contentLength ?? -1, blob.name);
    t.is(Buffer.from(blob.properties.contentMD5 ?? []).toString('hex'), got.md5, `${blob.name}: Content-MD5 set by Nimbus matches the bytes`);
  }
  t.deepEqual(new Map([...stored].sort(([a], [b]) => (a < b ? -1 : 1))), expected);

  const big = container.client.getBlockBlobClient('tree/big/200mb.bin');
  const blocks = await big.getBlockList('committed');
  t.is(blocks.committedBlocks?.length, BIG / (8 * MiB), 'the big file went up as 8 MiB staged blocks');
  const properties = await big.getProperties();
  t.is(properties.metadata?.['nimbus_mtime'], String(T0), 'the original mtime travels in metadata');
  t.is(properties.metadata?.['nimbus_size'], String(BIG));
  t.is(properties.metadata?.['mtime'], '2022-02-03T04:05:06.789000000Z', 'and where rclone reads it (`mtime`, RFC 3339)');

  const again = await runs.backup();
  t.is(again.counts.uploaded + again.counts.updated, 0, 'an unchanged rerun transfers nothing');
  t.is(again.bytes.uploaded, 0);
  t.is(again.counts.unchanged, Object.keys(TREE).length);

  // Without its database, Nimbus lists the container and rebuilds the facts from the blobs'
  // metadata (nimbus_mtime, nimbus_size): still nothing to send.
  await runs.forgetDatabase();
  const rebuilt = await runs.backup();
  t.is(rebuilt.counts.uploaded + rebuilt.counts.updated, 0, 'the original mtimes came back from metadata');
  t.is(rebuilt.counts.unchanged, Object.keys(TREE).length);
});
