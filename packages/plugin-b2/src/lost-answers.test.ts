import { digestStream, randomBytesStream } from '@nimbus/testkit';
import test from 'ava';
import { Readable } from 'node:stream';
import { connectB2 } from './connect.js';
import { fakeAccount, fakeConfig, testContext } from './test-support/b2-fake-account.js';

// "Committed, then the answer was lost": B2 stored the upload (or finished the large file) but
// the client saw a broken connection or a 5xx. Sending it again would add a duplicate version;
// cancelling after a lost finish fails the file although it is there.

const MB = 1_000_000;

async function setup(t: import('ava').ExecutionContext) {
  const { fake, bucket } = await fakeAccount();
  t.teardown(() => fake.close());
  const provider = await connectB2(fakeConfig(fake, bucket, { partSize: 5 * MB }), testContext());
  return { fake, bucket, provider };
}

for (const mode of ['reset', 'error-500'] as const) {
  test(`b2_upload_file stored but its answer lost (${mode}): the write succeeds with one version, not two`, async (t) => {
    const { fake, bucket, provider } = await setup(t);
    fake.loseAnswers({ count: 1, calls: ['b2_upload_file'], mode });
    const entry = await provider.write('a.txt', Readable.from([Buffer.from('hello')]), { size: 5, mtime: 1_600_000_000_000 });
    t.is(fake.lostAnswers, 1);
    t.is(entry.size, 5);
    t.is(fake.versionsOf(bucket, 'a.txt').length, 1, 'no duplicate version from the retry');
    t.is(fake.callCount('b2_upload_file'), 1, 'the stored upload was found, not sent again');
  });

  test(`b2_finish_large_file done but its answer lost (${mode}): b2_get_file_info says it is there, the write succeeds, nothing cancelled`, async (t) => {
    // b2_finish_large_file: "If that happens, we recommend calling b2_get_file_info to see if the
    // file is there. If the file is there, you can count the upload as a success."
    const { fake, bucket, provider } = await setup(t);
    fake.loseAnswers({ count: 1, calls: ['b2_finish_large_file'], mode });
    const size = 12 * MB;
    const entry = await provider.write('big.bin', randomBytesStream(size, 'lost-finish'), { size });
    t.is(entry.size, size);
    t.is(fake.callCount('b2_get_file_info'), 1);
    t.is(fake.callCount('b2_cancel_large_file'), 0);
    t.is(fake.versionsOf(bucket, 'big.bin').length, 1);
    t.is(fake.store.largeFiles.size, 0);
    t.is((await digestStream(await provider.read('big.bin'))).sha256, (await digestStream(randomBytesStream(size, 'lost-finish'))).sha256);
  });
}

test('a part stored but its answer lost: sent again on a new part URL (B2 keeps the last upload of a part number), the file is exact', async (t) => {
  // b2_upload_part: "If you upload the same part number for the same file more than once, both
  // uploads will succeed, and the second upload will overwrite the first."
  const { fake, bucket } = await fakeAccount();
  t.teardown(() => fake.close());
  const provider = await connectB2(fakeConfig(fake, bucket, { partSize: 5 * MB, concurrency: 1 }), testContext());
  fake.loseAnswers({ count: 1, calls: ['b2_upload_part'] });
  const size = 12 * MB;
  await provider.write('big.bin', randomBytesStream(size, 'lost-part'), { size });
  t.is(fake.callCount('b2_upload_part'), 4, 'three parts, one sent twice');
  t.is(fake.callCount('b2_get_upload_part_url'), 2, 'the broken URL was replaced');
  t.is(fake.errorCount('bad_auth_token'), 0, 'the dead URL was not used again');
  t.is(fake.versionsOf(bucket, 'big.bin').length, 1);
  t.is((await digestStream(await provider.read('big.bin'))).sha256, (await digestStream(randomBytesStream(size, 'lost-part'))).sha256);
});

test('a 503 that stored nothing is still retried: the check finds no such upload and the file is sent again', async (t) => {
  const { fake, bucket, provider } = await setup(t);
  await provider.write('a.txt', Readable.from([Buffer.from('old')]), { size: 3 });
  fake.injectFailures({ count: 1, status: 503, calls: ['b2_upload_file'] });
  await provider.write('a.txt', Readable.from([Buffer.from('new')]), { size: 3 });
  t.is(fake.callCount('b2_upload_file'), 3);
  t.deepEqual(fake.versionsOf(bucket, 'a.txt').map((v) => v.data.toString()), ['new', 'old'], 'the older version with other content is not taken for this upload');
});

test('a finish B2 refuses (400 part_sha1_mismatch) is not mistaken for a lost answer: the large file is cancelled and the write fails, the previous version intact', async (t) => {
  const { fake, bucket, provider } = await setup(t);
  await provider.write('big.bin', Readable.from([Buffer.from('previous')]), { size: 8 });
  fake.injectFailures({ count: 1, status: 400, code: 'part_sha1_mismatch', calls: ['b2_finish_large_file'] });
  const error = await t.throwsAsync(provider.write('big.bin', randomBytesStream(12 * MB, 'refused'), { size: 12 * MB }));
  t.regex(String(error?.message), /part_sha1_mismatch/);
  t.is(fake.callCount('b2_get_file_info'), 1, 'checked once: not finished');
  t.is(fake.callCount('b2_cancel_large_file'), 1);
  t.is(fake.store.largeFiles.size, 0);
  t.deepEqual(fake.versionsOf(bucket, 'big.bin').map((v) => v.data.toString()), ['previous']);
});
