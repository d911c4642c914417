import { isProviderError } from '@nimbus/kernel';
import { randomBytesStream } from '@nimbus/testkit';
import test from 'ava';
import { Readable } from 'node:stream';
import { connectB2 } from './connect.js';
import { fakeAccount, fakeConfig, testContext } from './test-support/b2-fake-account.js';

const MB = 1_000_000;

test('many writes at once never share an upload URL (B2 refuses a second upload on a URL: auth_token_limit)', async (t) => {
  // Integration checklist: "call b2_get_upload_url or b2_get_upload_part_url for each thread. The
  // returned upload URL / upload authorization token should be used in this thread to upload files".
  const { fake, bucket } = await fakeAccount();
  t.teardown(() => fake.close());
  const provider = await connectB2(fakeConfig(fake, bucket, { partSize: 5 * MB, concurrency: 3 }), testContext());
  const writes = Array.from({ length: 24 }, (_, i) => provider.write(`f${i}.txt`, Readable.from([Buffer.alloc(20_000 + i, i)]), { size: 20_000 + i }));
  writes.push(provider.write('big.bin', randomBytesStream(16 * MB, 'urls'), { size: 16 * MB }));
  await Promise.all(writes);
  t.is(fake.errorCount('auth_token_limit'), 0);
  t.true(fake.callCount('b2_get_upload_url') > 1, 'parallel writes took several URLs');
  t.true(fake.callCount('b2_get_upload_url') <= 24, 'and reused them once free');
});

test('a part that got 503 is retried on a new part URL, never on the dead one', async (t) => {
  // Integration checklist: "if ... The HTTP response status is between 500-599 ... call
  // b2_get_upload_url or b2_get_upload_part_url and re-attempt the upload using the new URL".
  const { fake, bucket } = await fakeAccount();
  t.teardown(() => fake.close());
  const provider = await connectB2(fakeConfig(fake, bucket, { partSize: 5 * MB, concurrency: 1 }), testContext());
  fake.injectFailures({ count: 1, status: 503, calls: ['b2_upload_part'] });
  fake.injectFailures({ count: 1, status: 408, code: 'request_timeout', calls: ['b2_upload_part'] });
  await provider.write('big.bin', randomBytesStream(12 * MB, 'part-503'), { size: 12 * MB });
  t.is(fake.callCount('b2_get_upload_part_url'), 3, 'one URL, then a new one after the 503 and after the 408');
  t.is(fake.errorCount('bad_auth_token'), 0, 'no upload on a dead URL');
});

test('a file of exactly the threshold goes up in one b2_upload_file: a large file needs at least 2 parts', async (t) => {
  // Large files guide: "Large files can range from 5MB all the way up to 10TB"; the fake refuses to finish a one-part large file.
  const { fake, bucket } = await fakeAccount();
  t.teardown(() => fake.close());
  const provider = await connectB2(fakeConfig(fake, bucket, { partSize: 5 * MB }), testContext());
  await provider.write('edge.bin', randomBytesStream(5 * MB, 'edge'), { size: 5 * MB });
  t.is(fake.callCount('b2_start_large_file'), 0);
  t.is(fake.callCount('b2_upload_file'), 1);
  t.is((await provider.stat('edge.bin'))?.size, 5 * MB);
});

test('testMode fail_some_uploads: B2 fails some uploads on purpose; every file arrives once, exact', async (t) => {
  // Integration checklist: "To test your code, add a X-Bz-Test-Mode: fail_some_uploads header to the b2_upload_file API call."
  const { fake, bucket } = await fakeAccount();
  t.teardown(() => fake.close());
  const provider = await connectB2(fakeConfig(fake, bucket, { partSize: 5 * MB, testMode: 'fail_some_uploads' }), testContext());
  for (let i = 0; i < 9; i++) await provider.write(`f${i}.txt`, Readable.from([Buffer.from(`file ${i}`)]), { size: `file ${i}`.length });
  await provider.write('big.bin', randomBytesStream(16 * MB, 'fail-some'), { size: 16 * MB });
  t.true(fake.errorCount('service_unavailable') >= 4, `${fake.errorCount('service_unavailable')} artificial failures`);
  for (let i = 0; i < 9; i++) t.deepEqual(fake.versionsOf(bucket, `f${i}.txt`).map((v) => v.data.toString()), [`file ${i}`]);
  t.is(fake.versionsOf(bucket, 'big.bin').length, 1);
});

test('a storage cap reached: the write fails at once (no retries) with a message naming the cap, not the key', async (t) => {
  // Uploading guide: "403 Forbidden cap_exceeded - you have reached the storage cap that you set".
  const { fake, bucket } = await fakeAccount({ storageCapBytes: 10 });
  t.teardown(() => fake.close());
  const provider = await connectB2(fakeConfig(fake, bucket), testContext());
  const error = await t.throwsAsync(provider.write('a.bin', Readable.from([Buffer.alloc(20)]), { size: 20 }));
  t.true(isProviderError(error, 'permission'), String(error));
  t.regex(String(error?.message), /cap set for this B2 account is reached/);
  t.notRegex(String(error?.message), /lacks a capability/);
  t.is(fake.callCount('b2_upload_file'), 1);
});

test('testMode expire_some_account_authorization_tokens: B2 expires the account token now and then; the plugin authorizes again and goes on', async (t) => {
  const { fake, bucket } = await fakeAccount();
  t.teardown(() => fake.close());
  const provider = await connectB2(fakeConfig(fake, bucket, { partSize: 5 * MB, testMode: 'expire_some_account_authorization_tokens' }), testContext());
  for (let i = 0; i < 6; i++) await provider.write(`f${i}.txt`, Readable.from([Buffer.from(`file ${i}`)]), { size: `file ${i}`.length });
  await provider.write('big.bin', randomBytesStream(11 * MB, 'expire-some'), { size: 11 * MB });
  const listed = [];
  for await (const page of provider.list('')) listed.push(...page);
  t.is(listed.length, 7);
  t.true(fake.errorCount('expired_auth_token') >= 2, `${fake.errorCount('expired_auth_token')} expired tokens`);
  const authorizations = fake.callCount('b2_authorize_account');
  t.true(authorizations > 1 && authorizations <= 1 + fake.errorCount('expired_auth_token'), `${authorizations} authorizations: again after expiries, shared by concurrent callers`);
});

test('a busy upload URL (400 auth_token_limit) is left for a new one: nothing was stored, the write goes on', async (t) => {
  const { fake, bucket } = await fakeAccount();
  t.teardown(() => fake.close());
  const provider = await connectB2(fakeConfig(fake, bucket), testContext());
  fake.injectFailures({ count: 1, status: 400, code: 'auth_token_limit', calls: ['b2_upload_file'] });
  await provider.write('a.txt', Readable.from([Buffer.from('a')]), { size: 1 });
  t.is(fake.callCount('b2_get_upload_url'), 2);
  t.is(fake.versionsOf(bucket, 'a.txt').length, 1);
});
