import { makeTempDir, writeTree } from '@nimbus/testkit';
import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fakeAccount } from './test-support/b2-fake-account.js';
import { kernelRunner, transferred } from './test-support/kernel-run.js';

/**
 * B2 keeps a version of every upload; Nimbus keeps the newest `versioning.keep` older ones and
 * deletes the rest itself (the kernel's VersionKeeper through listVersions/deleteVersion).
 */
async function changedUploads(t: import('ava').ExecutionContext, keep: number, uploads: number) {
  const { fake, bucket } = await fakeAccount();
  t.teardown(() => fake.close());
  const dir = await makeTempDir('nimbus-b2-retention-');
  t.teardown(dir.cleanup);
  const source = join(dir.path, 'source');
  await writeTree(source, { 'doc.txt': 'v0', 'stable.txt': 'never changes' });
  const runner = kernelRunner({ dir: dir.path, source, fake, bucket, prefix: 'home', profile: { versioning: { keep } } });
  const first = await runner.run();
  t.deepEqual(first.failures, []);
  t.is(first.counts.uploaded, 2);
  for (let i = 1; i <= uploads; i++) {
    await writeFile(join(source, 'doc.txt'), `v${i} ${'+'.repeat(i)}`);
    const report = await runner.run();
    t.deepEqual(report.failures, []);
    t.is(transferred(report), 1, `run ${i} sends the changed file once`);
  }
  return { fake, bucket, runner, source };
}

test('keep 3: after 6 changed uploads of one file, exactly 3 older versions and the current remain', async (t) => {
  const keep = 3;
  const { fake, bucket } = await changedUploads(t, keep, keep + 3);
  const versions = fake.versionsOf(bucket, 'home/doc.txt');
  t.is(versions.length, keep + 1);
  t.true(versions.every((v) => v.action === 'upload'));
  t.deepEqual(
    versions.map((v) => v.data.toString()),
    [6, 5, 4, 3].map((i) => `v${i} ${'+'.repeat(i)}`),
    'the newest ones are kept, newest first',
  );
  t.is(fake.versionsOf(bucket, 'home/stable.txt').length, 1, 'an unchanged file keeps its single version');
  t.is(fake.callCount('b2_upload_file'), 2 + keep + 3, 'one upload per change');
  t.is(fake.callCount('b2_delete_file_version'), 3, 'Nimbus deleted exactly the excess versions');
});

test('keep 0: only the current version remains', async (t) => {
  const { fake, bucket } = await changedUploads(t, 0, 4);
  const versions = fake.versionsOf(bucket, 'home/doc.txt');
  t.is(versions.length, 1);
  t.is(versions[0]!.data.toString(), `v4 ${'+'.repeat(4)}`);
});

test('a deleted file becomes a hide marker; its older versions beyond keep are purged', async (t) => {
  const { fake, bucket, runner, source } = await changedUploads(t, 2, 4);
  const { rm } = await import('node:fs/promises');
  await rm(join(source, 'doc.txt'));
  const report = await runner.run();
  t.deepEqual(report.failures, []);
  const versions = fake.versionsOf(bucket, 'home/doc.txt');
  t.is(versions[0]!.action, 'hide', 'the newest version is the hide marker');
  t.is(versions.filter((v) => v.action === 'upload').length, 2, 'two older uploads kept beside the marker');
});
