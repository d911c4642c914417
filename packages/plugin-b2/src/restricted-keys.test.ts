import { isProviderError, UserError } from '@nimbus/kernel';
import { randomBytesStream, startB2Fake } from '@nimbus/testkit';
import test from 'ava';
import { Readable } from 'node:stream';
import { connectB2 } from './connect.js';
import { fakeAccount, fakeConfig, testContext } from './test-support/b2-fake-account.js';

// b2_authorize_account: application keys "can be limited to a specific bucket, a bucket with a
// specific file prefix, or all buckets with a specific file prefix, have limited read/write
// access"; outside that, calls are refused 401 Unauthorized. The fake enforces it.

const MB = 1_000_000;
const WORKING = ['listBuckets', 'listFiles', 'readFiles', 'writeFiles', 'deleteFiles'];

test('a key restricted to the bucket and prefix: write, list, stat, read, versions, delete, cleanupIncomplete and listBuckets all stay inside', async (t) => {
  const bucket = 'restricted-bucket';
  const f = await startB2Fake({ buckets: [bucket, 'other-bucket'], key: { bucketName: bucket, namePrefix: 'root/', capabilities: WORKING } });
  t.teardown(() => f.close());
  const provider = await connectB2(fakeConfig(f, bucket, { prefix: 'root', partSize: 5 * MB }), testContext());
  await provider.write('a.txt', Readable.from([Buffer.from('one')]), { size: 3 });
  await provider.write('a.txt', Readable.from([Buffer.from('two')]), { size: 3 });
  await provider.write('big.bin', randomBytesStream(11 * MB, 'restricted'), { size: 11 * MB });
  const listed = [];
  for await (const page of provider.list('', { recursive: true })) listed.push(...page.map((e) => e.path));
  t.deepEqual(listed.sort(), ['a.txt', 'big.bin']);
  t.is((await provider.stat('a.txt'))?.size, 3);
  t.is((await provider.listVersions('a.txt')).length, 2);
  await provider.delete('a.txt');
  t.is(await provider.stat('a.txt'), undefined);
  t.is(await provider.cleanupIncomplete(), 0);
  t.deepEqual(await provider.listBuckets(), [{ name: bucket }], 'a bucket-restricted key lists its own bucket, named in the request');
  t.is(f.errorCount('unauthorized'), 0, 'nothing was refused');
});

test('a key restricted to another prefix or bucket is refused at connect with one line saying what to change', async (t) => {
  const { fake, bucket } = await fakeAccount({ key: { namePrefix: 'theirs/' } });
  t.teardown(() => fake.close());
  const prefixError = await t.throwsAsync(connectB2(fakeConfig(fake, bucket, { prefix: 'mine' }), testContext()));
  t.true(prefixError instanceof UserError);
  t.regex(String(prefixError?.message), /names starting with "theirs\/"/);
  const other = await fakeAccount({ key: { bucketName: 'some-other-bucket' } });
  t.teardown(() => other.fake.close());
  const bucketError = await t.throwsAsync(connectB2(fakeConfig(other.fake, other.bucket), testContext()));
  t.true(bucketError instanceof UserError);
  t.regex(String(bucketError?.message), /only use bucket "some-other-bucket"/);
});

test('a read-only key: a write is refused as permission, with the hint about capabilities', async (t) => {
  const { fake, bucket } = await fakeAccount({ key: { capabilities: ['listBuckets', 'listFiles', 'readFiles'] } });
  t.teardown(() => fake.close());
  const provider = await connectB2(fakeConfig(fake, bucket), testContext());
  const error = await t.throwsAsync(provider.write('a.txt', Readable.from([Buffer.from('a')]), { size: 1 }));
  t.true(isProviderError(error, 'permission'), String(error));
  t.regex(String(error?.message), /lacks a capability/);
});
