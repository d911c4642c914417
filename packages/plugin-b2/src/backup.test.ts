import { makeTempDir, treeDigest, writeTree } from '@nimbus/testkit';
import test from 'ava';
import { createHash } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fakeAccount } from './test-support/b2-fake-account.js';
import { kernelRunner, transferred } from './test-support/kernel-run.js';

test('a backup through the kernel (odd names, empty files, a large file in parts) is stored byte for byte; reruns send only changes', async (t) => {
  const { fake, bucket } = await fakeAccount();
  t.teardown(() => fake.close());
  const dir = await makeTempDir('nimbus-b2-backup-');
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
    'empty-folder/': null,
    'media/large.bin': { size: 23_000_000, seed: 'b2-large' },
    'media/small.bin': { size: 300_000, seed: 3 },
  });
  const prefix = 'backups/home';
  const runner = kernelRunner({ dir: dir.path, source, fake, bucket, prefix, settings: { partSize: 5_000_000 } });

  const first = await runner.run();
  t.deepEqual(first.failures, []);
  t.is(first.counts.uploaded, 9);
  t.is(first.counts.emptyFoldersSkipped, 1, 'virtual folders: the empty folder is not created, and the report says so');
  t.true(first.destination.startsWith(`b2:${bucket}/${prefix}@127.0.0.1:`), first.destination);
  t.false(JSON.stringify(first).includes(fake.applicationKey), 'no secret in the report');
  t.false(runner.logger.lines.some((l) => l.message.includes(fake.applicationKey)), 'no secret in the log');
  t.true(fake.callCount('b2_upload_part') >= 5, 'the 23 MB file went up as a large file in 5 MB parts');
  t.is(fake.store.largeFiles.size, 0, 'no unfinished large file is left');

  // What the account holds, read from the fake's state (not through the plugin).
  const stored = new Map<string, string>();
  const b = fake.store.bucketByName(bucket)!;
  for (const v of fake.store.sortedVersions(b.bucketId)) {
    if (v.action === 'upload' && !stored.has(v.fileName)) stored.set(v.fileName.slice(prefix.length + 1), createHash('sha256').update(v.data).digest('hex'));
  }
  t.deepEqual(new Map([...stored].sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0))), await treeDigest(source));
  const large = fake.versionsOf(bucket, `${prefix}/media/large.bin`)[0]!;
  t.truthy(large.fileInfo['src_last_modified_millis'], 'the mtime travels as src_last_modified_millis');

  const uploadsBefore = fake.callCount('b2_upload_file') + fake.callCount('b2_start_large_file');
  const second = await runner.run();
  t.is(transferred(second), 0, 'an unchanged rerun transfers nothing');
  t.is(second.counts.unchanged, 9);
  t.is(fake.callCount('b2_upload_file') + fake.callCount('b2_start_large_file'), uploadsBefore);

  await appendFile(join(source, 'docs/a b#%+?&.txt'), ' changed');
  const third = await runner.run();
  t.is(transferred(third), 1, 'a changed file is transferred once');
  t.is(third.counts.updated, 1);
  t.is(fake.versionsOf(bucket, `${prefix}/docs/a b#%+?&.txt`)[0]!.data.toString(), 'odd name changed');
});
