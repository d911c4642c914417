import { MemoryLogger, PluginRegistry, restoreProfile, runBackup, validateProfile } from '@nimbus/kernel';
import { makeTempDir, startS3GlacierProxy, treeDigest, writeTree } from '@nimbus/testkit';
import test from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import s3Plugin from './index.js';
import { createTestBucket, ensureSwiftServer, rawClient, swiftSettings } from './test-support/swift-s3.js';

const server = await ensureSwiftServer();
const bucket = await createTestBucket(rawClient(server), 'glacier-flow');

test('Glacier end to end through the engine: first restore requests, second waits, third completes', async (t) => {
  const proxy = await startS3GlacierProxy({ target: server.s3Endpoint });
  t.teardown(() => proxy.close());
  const dir = await makeTempDir('nimbus-glacier-');
  t.teardown(dir.cleanup);
  const source = join(dir.path, 'source');
  await writeTree(source, { 'warm.txt': 'online', 'cold/a.txt': 'frozen a', 'cold/b.bin': { size: 300_000, seed: 9 } });
  const registry = new PluginRegistry();
  registry.register(s3Plugin);
  const logger = new MemoryLogger();
  const prefix = 'glacier-flow';
  const loaded = validateProfile(
    {
      name: 'glacier',
      source,
      // As for Amazon: Glacier on (s3Compatible off), through the proxy that simulates it.
      destination: { provider: 's3', ...swiftSettings(server, bucket, { prefix, endpoint: proxy.endpoint, s3Compatible: false, restoreDays: 2, restoreTier: 'Bulk' }) },
    },
    'test profile',
    dir.path,
    'glacier',
  );
  const env = { NIMBUS_DATA_DIR: join(dir.path, 'data') };
  t.is((await runBackup({ loaded, registry, logger, env })).counts.uploaded, 3);
  proxy.archive(bucket, `${prefix}/cold/a.txt`, 'GLACIER');
  proxy.archive(bucket, `${prefix}/cold/b.bin`, 'DEEP_ARCHIVE');
  const target = join(dir.path, 'restored');
  const restore = () => restoreProfile({ loaded, registry, logger, env, target, retry: { retries: 1, minDelayMs: 1, maxDelayMs: 2 } });

  const first = await restore();
  t.is(first.counts.restored, 1);
  t.is(first.counts.pendingArchive, 2);
  t.is(first.exitCode, 1);
  t.deepEqual(
    proxy.restoreRequests.map((r) => [r.key, r.days, r.tier]).sort(),
    [
      [`${prefix}/cold/a.txt`, 2, 'Bulk'],
      [`${prefix}/cold/b.bin`, 2, 'Bulk'],
    ],
  );
  t.true(logger.lines.some((l) => /cold\/a\.txt is in archive storage \(GLACIER\): restore requested/.test(l.message)));
  t.false(existsSync(join(target, 'cold', 'a.txt')));

  const second = await restore();
  t.is(second.counts.pendingArchive, 2, 'the restore is still running');
  t.is(proxy.restoreRequests.length, 2, 'nothing requested twice');

  proxy.completeRestore(bucket, `${prefix}/cold/a.txt`);
  proxy.completeRestore(bucket, `${prefix}/cold/b.bin`);
  const third = await restore();
  t.is(third.counts.restored, 2);
  t.is(third.exitCode, 0);
  t.deepEqual(await treeDigest(target), await treeDigest(source));
});

test('Intelligent-Tiering end to end: an object in Deep Archive Access is restored without Days, then comes down', async (t) => {
  const proxy = await startS3GlacierProxy({ target: server.s3Endpoint });
  t.teardown(() => proxy.close());
  const dir = await makeTempDir('nimbus-tiering-');
  t.teardown(dir.cleanup);
  const source = join(dir.path, 'source');
  await writeTree(source, { 'warm.txt': 'online', 'tiered/a.txt': 'tiered a' });
  const registry = new PluginRegistry();
  registry.register(s3Plugin);
  const logger = new MemoryLogger();
  const prefix = 'tiering-flow';
  const loaded = validateProfile(
    {
      name: 'tiering',
      source,
      destination: {
        provider: 's3',
        ...swiftSettings(server, bucket, { prefix, endpoint: proxy.endpoint, s3Compatible: false, storageClass: 'INTELLIGENT_TIERING', restoreTier: 'Bulk' }),
      },
    },
    'test profile',
    dir.path,
    'tiering',
  );
  const env = { NIMBUS_DATA_DIR: join(dir.path, 'data') };
  t.is((await runBackup({ loaded, registry, logger, env })).counts.uploaded, 2);
  t.is(proxy.storageClassOf(bucket, `${prefix}/tiered/a.txt`), 'INTELLIGENT_TIERING');
  // Months without access later, the service moved it down; the listing still says INTELLIGENT_TIERING only.
  proxy.tierDown(bucket, `${prefix}/tiered/a.txt`, 'DEEP_ARCHIVE_ACCESS');
  const target = join(dir.path, 'restored');
  const restore = () => restoreProfile({ loaded, registry, logger, env, target, retry: { retries: 1, minDelayMs: 1, maxDelayMs: 2 } });

  const first = await restore();
  t.like(first.counts, { restored: 1, pendingArchive: 1 });
  t.deepEqual(first.failures, []);
  t.deepEqual(proxy.restoreRequests.map((r) => [r.key, r.days, r.tier, r.status]), [[`${prefix}/tiered/a.txt`, undefined, 'Bulk', 202]]);

  proxy.completeRestore(bucket, `${prefix}/tiered/a.txt`);
  const second = await restore();
  t.like(second.counts, { restored: 1 });
  t.is(second.exitCode, 0);
  t.deepEqual(await treeDigest(target), await treeDigest(source));
});
