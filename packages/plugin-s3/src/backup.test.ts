import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { MemoryLogger, PluginRegistry, runBackup, validateProfile, type RunReport } from '@nimbus/kernel';
import { digestStream, makeTempDir, treeDigest, writeTree } from '@nimbus/testkit';
import test from 'ava';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import s3Plugin from './index.js';
import { createTestBucket, deleteTestBucket, ensureSwiftServer, rawClient, swiftSettings } from './test-support/swift-s3.js';

const MB = 1000 * 1000;
const server = await ensureSwiftServer();
const admin = rawClient(server);
const bucket = await createTestBucket(admin, 'backup');

const transferred = (report: RunReport) => report.counts.uploaded + report.counts.updated;

/** Every key below `prefix`, read back with the SDK directly (not through Nimbus), as path → sha256. */
async function digestOfBucket(prefix: string): Promise<Map<string, string>> {
  const digests = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await admin.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
    for (const item of page.Contents ?? []) {
      const object = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: item.Key! }));
      digests.set(item.Key!.slice(prefix.length), (await digestStream(object.Body as Readable)).sha256);
    }
    token = page.NextContinuationToken;
  } while (token);
  return new Map([...digests].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

test('a backup to Swift S3 (odd names, empty files, empty folders, a 200 MB file) reads back byte for byte; reruns send only changes', async (t) => {
  const dir = await makeTempDir('nimbus-s3-backup-');
  t.teardown(dir.cleanup);
  const source = join(dir.path, 'source');
  await writeTree(source, {
    'readme.txt': 'top level',
    'docs/a b#%+?&.txt': 'odd name',
    'docs/unicode 日本語 ☃ 😀.txt': 'unicode',
    'docs/caf\u00e9.txt': 'nfc',
    'docs/cafe\u0301.txt': 'nfd',
    'docs/nested/deeper/deepest/leaf.txt': 'deep',
    'docs/nested/empty.txt': '',
    'empty-at-top.txt': '',
    'empty-folder/': null,
    'media/big.bin': { size: 200 * MB, seed: 'backup-200mb' },
    'media/small.bin': { size: 300_000, seed: 3 },
  });
  const registry = new PluginRegistry();
  registry.register(s3Plugin);
  const logger = new MemoryLogger();
  const prefix = 'backups/home';
  const run = async () => {
    const loaded = validateProfile(
      { name: 's3-backup', source, destination: { provider: 's3', ...swiftSettings(server, bucket, { prefix }) }, transfers: 4 },
      'test profile',
      dir.path,
      's3-backup',
    );
    return runBackup({ loaded, registry, logger, env: { NIMBUS_DATA_DIR: join(dir.path, 'data') }, retry: { retries: 2, minDelayMs: 10, maxDelayMs: 100 } });
  };

  const started = Date.now();
  const first = await run();
  t.log(`first run: ${first.counts.uploaded} files, ${Math.round(first.bytes.uploaded / MB)} MB in ${Date.now() - started} ms`);
  t.deepEqual(first.failures, []);
  t.is(first.counts.uploaded, 10);
  t.is(first.counts.emptyFoldersSkipped, 1, 'virtual folders: the empty folder is not created, and the report says so');
  t.true(first.destination.startsWith(`s3:${bucket}/${prefix}@127.0.0.1:8080`), first.destination);
  t.false(JSON.stringify(first).includes(server.s3SecretAccessKey), 'no secret in the report');
  t.deepEqual(await digestOfBucket(`${prefix}/`), await treeDigest(source), 'what an independent S3 client reads is what was backed up');

  const second = await run();
  t.is(transferred(second), 0, 'an unchanged rerun transfers nothing');
  t.is(second.counts.unchanged, 10);

  await appendFile(join(source, 'docs/a b#%+?&.txt'), ' changed');
  const third = await run();
  t.is(transferred(third), 1, 'a changed file is transferred once');
  t.is(third.counts.updated, 1);
  const reread = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}/docs/a b#%+?&.txt` }));
  t.is(await reread.Body!.transformToString(), 'odd name changed');
});

test.after.always(async () => {
  await deleteTestBucket(admin, bucket);
  admin.destroy();
});
