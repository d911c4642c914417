import { GetObjectCommand, ListObjectVersionsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { MemoryLogger, PluginRegistry, runBackup, validateProfile, type RunReport } from '@nimbus/kernel';
import { makeTempDir, startS3GlacierProxy, writeTree } from '@nimbus/testkit';
import test from 'ava';
import { utimes, writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import s3Plugin from './index.js';
import { createTestBucket, deleteTestBucket, ensureSwiftServer, rawClient, swiftSettings } from './test-support/swift-s3.js';

const server = await ensureSwiftServer();
const admin = rawClient(server);
const bucket = await createTestBucket(admin, 'glacier-backup');

/** Keys below `prefix` (a version's time stamp left out) and their content, read from the server directly (the proxy would refuse archived ones). */
async function stored(prefix: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const page = await admin.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  for (const item of page.Contents ?? []) {
    const object = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: item.Key! }));
    out[item.Key!.slice(prefix.length).replace(/^(\$SBV\$\/.*)\/[^/]+$/, '$1 (version)')] = await object.Body!.transformToString();
  }
  return out;
}

/**
 * storageClass GLACIER on a bucket without versioning, keeping 3 versions in $SBV$: every
 * object is archived from its upload on, so the two changes that touch the stored object
 * (a metadata rewrite for an mtime-only change, a copy into $SBV$ before an update or a
 * delete) meet 403 InvalidObjectState from the proxy, as they would on Amazon S3.
 */
test('backup with storageClass GLACIER: an mtime-only change and an update or delete of archived files never fail the run', async (t) => {
  const proxy = await startS3GlacierProxy({ target: server.s3Endpoint });
  t.teardown(() => proxy.close());
  const dir = await makeTempDir('nimbus-glacier-backup-');
  t.teardown(dir.cleanup);
  const source = join(dir.path, 'source');
  await writeTree(source, { 'touched.txt': 'same content', 'changed.txt': 'first content', 'removed.txt': 'soon gone' });
  const registry = new PluginRegistry();
  registry.register(s3Plugin);
  const logger = new MemoryLogger();
  const prefix = 'glacier-backup';
  const loaded = validateProfile(
    {
      name: 'glacier-backup',
      source,
      compare: 'size-mtime',
      deleteRemoved: true,
      versioning: { keep: 3 },
      destination: { provider: 's3', ...swiftSettings(server, bucket, { prefix, endpoint: proxy.endpoint, s3Compatible: false, storageClass: 'GLACIER' }) },
    },
    'test profile',
    dir.path,
    'glacier-backup',
  );
  const env = { NIMBUS_DATA_DIR: join(dir.path, 'data') };
  const backup = (): Promise<RunReport> => runBackup({ loaded, registry, logger, env, retry: { retries: 1, minDelayMs: 1, maxDelayMs: 2 } });
  const key = (path: string) => `${prefix}/${path}`;

  const first = await backup();
  t.is(first.counts.uploaded, 3);
  t.deepEqual(['touched.txt', 'changed.txt', 'removed.txt'].map((p) => proxy.storageClassOf(bucket, key(p))), ['GLACIER', 'GLACIER', 'GLACIER']);

  // Content unchanged, mtime moved: the rewrite of the object's metadata is refused, the database keeps the time.
  await utimes(join(source, 'touched.txt'), new Date('2031-02-03T04:05:06Z'), new Date('2031-02-03T04:05:06Z'));
  // Changed and removed: their archived copies can be kept as versions only once restored.
  await writeFile(join(source, 'changed.txt'), 'second content');
  await rm(join(source, 'removed.txt'));
  const second = await backup();
  t.deepEqual(second.failures, [], 'nothing failed');
  t.is(second.exitCode, 0);
  t.like(second.counts, { touched: 1, updated: 0, deleted: 0 });
  t.true(second.notes.some((n) => /modification time changed .* keep the new time in the cloud database only/.test(n)), second.notes.join('\n'));
  t.true(second.notes.some((n) => /^changed\.txt: not updated yet: its copy at the destination is in archive storage and must be restored/.test(n)));
  t.true(second.notes.some((n) => /^removed\.txt: not deleted yet: /.test(n)));
  t.deepEqual(
    proxy.restoreRequests.map((r) => [r.key, r.status]).sort(),
    [[key('changed.txt'), 202], [key('removed.txt'), 202]],
    'the archived copies are restored, nothing else is asked',
  );
  t.deepEqual(await stored(`${prefix}/`), { 'touched.txt': 'same content', 'changed.txt': 'first content', 'removed.txt': 'soon gone' }, 'nothing lost or half changed');

  const third = await backup();
  t.deepEqual(third.failures, []);
  t.like(third.counts, { touched: 0, updated: 0, deleted: 0 }, 'the new mtime is known: no second touch');
  t.is(proxy.restoreRequests.length, 2, 'a running restore is not asked for again');
  t.true(third.notes.some((n) => /^changed\.txt: not updated yet/.test(n)));

  proxy.completeRestore(bucket, key('changed.txt'));
  proxy.completeRestore(bucket, key('removed.txt'));
  const fourth = await backup();
  t.deepEqual(fourth.failures, []);
  t.like(fourth.counts, { updated: 1, deleted: 1 });
  t.deepEqual(fourth.notes.filter((n) => /not (updated|deleted) yet/.test(n)), []);
  t.deepEqual(
    await stored(`${prefix}/`),
    { '$SBV$/changed.txt (version)': 'first content', '$SBV$/removed.txt (version)': 'soon gone', 'changed.txt': 'second content', 'touched.txt': 'same content' },
    'the previous copies were kept as versions, the new content is stored',
  );
  t.is(proxy.storageClassOf(bucket, key('changed.txt')), 'GLACIER', 'the new content is archived too');
});

test('backup with storageClass GLACIER to a versioned bucket: an update of an archived file goes through at once, S3 keeps the version', async (t) => {
  const versionedBucket = await createTestBucket(admin, 'glacier-versioned', { versioned: true });
  t.teardown(async () => {
    await deleteTestBucket(admin, versionedBucket);
  });
  const proxy = await startS3GlacierProxy({ target: server.s3Endpoint });
  t.teardown(() => proxy.close());
  const dir = await makeTempDir('nimbus-glacier-versioned-');
  t.teardown(dir.cleanup);
  const source = join(dir.path, 'source');
  await writeTree(source, { 'changed.txt': 'first content' });
  const registry = new PluginRegistry();
  registry.register(s3Plugin);
  const loaded = validateProfile(
    {
      name: 'glacier-versioned',
      source,
      versioning: { keep: 3 },
      destination: { provider: 's3', ...swiftSettings(server, versionedBucket, { endpoint: proxy.endpoint, s3Compatible: false, storageClass: 'GLACIER' }) },
    },
    'test profile',
    dir.path,
    'glacier-versioned',
  );
  const env = { NIMBUS_DATA_DIR: join(dir.path, 'data') };
  const backup = () => runBackup({ loaded, registry, logger: new MemoryLogger(), env, retry: { retries: 1, minDelayMs: 1, maxDelayMs: 2 } });
  t.is((await backup()).counts.uploaded, 1);
  await writeFile(join(source, 'changed.txt'), 'second content');
  const second = await backup();
  t.deepEqual(second.failures, []);
  t.is(second.counts.updated, 1, 'no copy is needed: the bucket keeps the previous version itself');
  t.deepEqual(proxy.restoreRequests, [], 'nothing restored');
  const versions = await admin.send(new ListObjectVersionsCommand({ Bucket: versionedBucket, Prefix: 'changed.txt' }));
  t.is(versions.Versions?.length, 2);
});

test.after.always(async () => {
  await deleteTestBucket(admin, bucket);
  admin.destroy();
});
