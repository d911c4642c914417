import { isProviderError, Pacer, pacedProvider } from '@nimbus/kernel';
import { digestStream, randomBytesStream } from '@nimbus/testkit';
import test from 'ava';
import { Readable } from 'node:stream';
import { connectB2 } from './connect.js';
import { fakeAccount, fakeConfig, testContext } from './test-support/b2-fake-account.js';

const MB = 1_000_000;

async function setup(t: import('ava').ExecutionContext, extra: Record<string, unknown> = {}) {
  const { fake, bucket } = await fakeAccount();
  t.teardown(() => fake.close());
  const provider = await connectB2(fakeConfig(fake, bucket, { partSize: 5 * MB, ...extra }), testContext());
  return { fake, bucket, provider };
}

async function sha256Of(stream: Readable): Promise<string> {
  return (await digestStream(stream)).sha256;
}

test('auth tokens expiring mid large upload: the plugin re-authorizes, gets new part URLs and completes', async (t) => {
  const { fake, provider } = await setup(t, { concurrency: 2 });
  fake.onCall((name, count) => {
    if (name === 'b2_upload_part' && count === 2) fake.expireAuthTokens();
  });
  const size = 23 * MB;
  const entry = await provider.write('big.bin', randomBytesStream(size, 'expiry'), { size });
  t.is(entry.size, size);
  t.is(fake.callCount('b2_authorize_account'), 2, 'one re-authorization (shared by the parallel parts)');
  t.true(fake.callCount('b2_get_upload_part_url') > 2, 'expired part URLs were replaced');
  t.is(fake.callCount('b2_finish_large_file'), 1);
  t.is(fake.store.largeFiles.size, 0);
  t.is(await sha256Of(await provider.read('big.bin')), (await digestStream(randomBytesStream(size, 'expiry'))).sha256);
});

test('an expired account token on an ordinary call re-authorizes once and goes on', async (t) => {
  const { fake, provider } = await setup(t);
  await provider.write('a.txt', Readable.from([Buffer.from('a')]), { size: 1 });
  fake.expireAuthTokens();
  t.is((await provider.stat('a.txt'))?.size, 1);
  const listed = [];
  for await (const page of provider.list('')) listed.push(...page);
  t.deepEqual(listed.map((e) => e.path), ['a.txt']);
  t.is(fake.callCount('b2_authorize_account'), 2);
});

test('503 with Retry-After on an upload: retried on a fresh upload URL after the wait, then done', async (t) => {
  const { fake, provider } = await setup(t);
  // "The HTTP response status is between 500-599, including 503 Service Unavailable": call b2_get_upload_url and re-attempt.
  fake.injectFailures({ count: 1, status: 503, retryAfterSeconds: 1, calls: ['b2_upload_file'] });
  const started = Date.now();
  await provider.write('small.txt', Readable.from([Buffer.from('small')]), { size: 5 });
  t.true(Date.now() - started >= 1000, 'the Retry-After wait was honoured');
  t.is(fake.callCount('b2_get_upload_url'), 2, 'the refused upload URL was not reused');
  t.is((await provider.stat('small.txt'))?.size, 5);
});

test('429 on an upload is not retried inside the plugin: it reaches the kernel as throttled, with its Retry-After, for the run\'s pacer', async (t) => {
  const { fake, provider } = await setup(t);
  // "B2 may limit API requests on a per-account basis ... a Retry-After header": the whole run must slow down.
  fake.injectFailures({ count: 1, status: 429, retryAfterSeconds: 3, calls: ['b2_upload_file'] });
  const error = await t.throwsAsync(provider.write('small.txt', Readable.from([Buffer.from('small')]), { size: 5 }));
  t.true(isProviderError(error, 'throttled'), String(error));
  t.is((error as { retryAfterSeconds?: number }).retryAfterSeconds, 3);
  t.is(fake.callCount('b2_upload_file'), 1, 'one upload request: the plugin did not retry it on its own');
  t.is(await provider.stat('small.txt'), undefined, 'nothing stored');
});

test('429 on one part of a large file, through the run\'s pacer: that part alone is sent again after the pause, the large file is not started again', async (t) => {
  const { fake, bucket } = await fakeAccount();
  t.teardown(() => fake.close());
  // As a run connects it: the plugin's provider behind the connection's pacer.
  const pacer = new Pacer();
  const provider = pacedProvider(await connectB2(fakeConfig(fake, bucket, { partSize: 5 * MB, concurrency: 2 }), { ...testContext(), pacer }), pacer);
  // "B2 may limit API requests on a per-account basis ... a Retry-After header": one part refused 429.
  fake.injectFailures({ count: 1, status: 429, retryAfterSeconds: 1, calls: ['b2_upload_part'] });
  const size = 23 * MB; // 5 parts of 5 MB
  const entry = await provider.write('big.bin', randomBytesStream(size, 'slow-part'), { size });
  t.is(entry.size, size);
  t.is(fake.callCount('b2_start_large_file'), 1, 'one large file');
  t.is(fake.callCount('b2_upload_part'), 5 + 1, 'each part once, the throttled one twice');
  t.is(fake.callCount('b2_cancel_large_file'), 0);
  t.is(fake.callCount('b2_finish_large_file'), 1);
  t.is(fake.store.largeFiles.size, 0);
  t.is(await sha256Of(await provider.read('big.bin')), (await digestStream(randomBytesStream(size, 'slow-part'))).sha256);
});

test('429 on a listing is a throttled ProviderError carrying Retry-After for the kernel\'s pacer', async (t) => {
  const { fake, provider } = await setup(t);
  fake.injectFailures({ count: 1, status: 429, retryAfterSeconds: 7, calls: ['b2_list_file_names'] });
  const error = await t.throwsAsync(async () => {
    for await (const _ of provider.list('')) void _;
  });
  t.true(isProviderError(error, 'throttled'), String(error));
  t.is((error as { retryAfterSeconds?: number }).retryAfterSeconds, 7);
});

test('a part that fails for good cancels the large file: nothing unfinished, the previous version intact', async (t) => {
  const { fake, provider } = await setup(t);
  await provider.write('keep.bin', Readable.from([Buffer.from('original')]), { size: 8 });
  fake.injectFailures({ count: 1, status: 400, code: 'bad_request', calls: ['b2_upload_part'] });
  const error = await t.throwsAsync(provider.write('keep.bin', randomBytesStream(12 * MB, 'x'), { size: 12 * MB }));
  t.true(isProviderError(error, 'invalid'), String(error));
  t.is(fake.callCount('b2_cancel_large_file'), 1);
  t.is(fake.store.largeFiles.size, 0);
  t.is((await provider.stat('keep.bin'))?.size, 8);
});

test('cleanupIncomplete cancels large files a killed run left below the prefix only', async (t) => {
  const { fake, bucket } = await fakeAccount();
  t.teardown(() => fake.close());
  const provider = await connectB2(fakeConfig(fake, bucket, { prefix: 'mine' }), testContext());
  const bucketId = fake.store.bucketByName(bucket)!.bucketId;
  for (const fileName of ['mine/killed-1.bin', 'mine/sub/killed-2.bin', 'other/not-mine.bin']) {
    await provider.b2.call('b2_start_large_file', { bucketId, fileName, contentType: 'b2/x-auto', fileInfo: {} });
  }
  t.is(await provider.cleanupIncomplete(), 2);
  t.deepEqual([...fake.store.largeFiles.values()].map((l) => l.fileName), ['other/not-mine.bin']);
});

test('large files carry no SHA-1 (B2 has none for them); small ones carry contentSha1; mtimes are kept to the millisecond', async (t) => {
  const { provider } = await setup(t);
  const mtime = Date.UTC(2021, 1, 2, 3, 4, 5, 678);
  const small = await provider.write('s.txt', Readable.from([Buffer.from('abc')]), { size: 3, mtime });
  t.is(small.hashes?.sha1, 'a9993e364706816aba3e25717850c26c9cd0d89d');
  t.is(small.mtime, mtime);
  const large = await provider.write('l.bin', randomBytesStream(11 * MB, 'l'), { size: 11 * MB, mtime });
  t.is(large.hashes?.sha1, undefined);
  t.is((await provider.stat('l.bin'))?.mtime, mtime);
});

test('wrong credentials: an auth error that does not show the key', async (t) => {
  const { fake, bucket } = await fakeAccount();
  t.teardown(() => fake.close());
  const error = await t.throwsAsync(connectB2(fakeConfig(fake, bucket, { applicationKey: 'K000-wrong-secret-value' }), testContext()));
  t.true(isProviderError(error, 'auth'), String(error));
  t.false(String(error?.message).includes('K000-wrong-secret-value'));
});

test('metadata beyond B2 limits is refused before any upload', async (t) => {
  const { fake, provider } = await setup(t);
  const metadata = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, 'v']));
  const error = await t.throwsAsync(provider.write('m.txt', Readable.from([Buffer.from('m')]), { size: 1, mtime: 1, metadata }));
  t.true(isProviderError(error, 'invalid') && /at most 10/.test(error.message), String(error));
  t.is(fake.callCount('b2_upload_file'), 0);
});
