import { MemoryLogger, PluginRegistry, runProfile, validateProfile, type ProfileInput, type SyncReport } from '@nimbus/kernel';
import { makeTempDir, treeDigest, writeTree } from '@nimbus/testkit';
import test from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import s3Plugin from './index.js';
import { createTestBucket, deleteTestBucket, ensureSwiftServer, rawClient, swiftSettings } from './test-support/swift-s3.js';

const server = await ensureSwiftServer();
const admin = rawClient(server);
const bucket = await createTestBucket(admin, 'two-machines');

const twentyFiles = () => Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`notes/file-${i}.txt`, `the same text on both machines, file ${i}\n`.repeat(i + 1)]));

/** One machine: its own source folder and data folder, syncing with `prefix` of the shared bucket. */
async function machine(t: import('ava').ExecutionContext, prefix: string, profile: Partial<ProfileInput>) {
  const dir = await makeTempDir('nimbus-s3-machine-');
  t.teardown(dir.cleanup);
  const source = join(dir.path, 'source');
  const dataDir = join(dir.path, 'data');
  const registry = new PluginRegistry();
  registry.register(s3Plugin);
  const sync = async () => {
    const loaded = validateProfile(
      { name: 'two-machines', mode: 'sync', source, destination: { provider: 's3', ...swiftSettings(server, bucket, { prefix }) }, ...profile },
      'test profile',
      dir.path,
      'two-machines',
    );
    return (await runProfile({ loaded, registry, logger: new MemoryLogger(), env: { NIMBUS_DATA_DIR: dataDir }, retry: { retries: 2, minDelayMs: 10, maxDelayMs: 100 } })) as SyncReport;
  };
  return { source, trash: join(dataDir, 'profiles', 'two-machines', 'trash'), sync };
}

const formats: Record<string, Partial<ProfileInput>> = {
  'stored as is': {},
  'compressed and encrypted': { compression: true, encryption: { password: 'correct horse battery' } },
};

for (const [name, profile] of Object.entries(formats)) {
  test(`Swift S3, two machines with identical folders (${name}): the second's first sync adopts all 20 files`, async (t) => {
    const prefix = `two-machines/${name.replace(/ /g, '-')}`;
    const first = await machine(t, prefix, profile);
    await writeTree(first.source, twentyFiles());
    const one = await first.sync();
    t.deepEqual(one.failures, []);
    t.is(one.counts.uploaded, 20);

    const second = await machine(t, prefix, profile);
    await writeTree(second.source, twentyFiles());
    const before = await treeDigest(second.source);
    const two = await second.sync();
    t.deepEqual(two.failures, []);
    t.deepEqual(two.conflicts, [], 'identical files are not conflicts');
    t.like(two.counts, { uploaded: 0, downloaded: 0, conflicts: 0, unchanged: 20 });
    t.deepEqual(await treeDigest(second.source), before);
    t.false(existsSync(second.trash), 'no local copy went to the trash');
    t.like((await second.sync()).counts, { uploaded: 0, downloaded: 0, conflicts: 0, unchanged: 20 });
  });
}

test.after.always(async () => {
  await deleteTestBucket(admin, bucket);
});
