import { isProviderError, UserError } from '@nimbus/kernel';
import { startB2Fake } from '@nimbus/testkit';
import test from 'ava';
import { connectB2 } from './connect.js';
import b2Plugin, { parseB2Target } from './index.js';
import { fakeAccount, fakeConfig, testContext } from './test-support/b2-fake-account.js';

test('the 100-bucket limit: creating a 101st bucket fails with a clear error, before B2 is asked', async (t) => {
  const fake = await startB2Fake({ buckets: Array.from({ length: 100 }, (_, i) => `bucket-${String(i).padStart(3, '0')}`) });
  t.teardown(() => fake.close());
  const provider = await connectB2(fakeConfig(fake, 'bucket-000'), testContext());
  t.is((await provider.listBuckets()).length, 100);
  const error = await t.throwsAsync(provider.createBucket('one-too-many'));
  t.true(isProviderError(error, 'invalid'), String(error));
  t.regex(error!.message, /already has 100 buckets, the most B2 allows/);
  t.is(fake.callCount('b2_create_bucket'), 0);
});

test('createBucket checks the naming rules and case-insensitive duplicates', async (t) => {
  const { fake, bucket } = await fakeAccount();
  t.teardown(() => fake.close());
  const provider = await connectB2(fakeConfig(fake, bucket), testContext());
  const bad = await t.throwsAsync(provider.createBucket('b2-mine'));
  t.regex(bad!.message, /reserved-prefix/);
  const duplicate = await t.throwsAsync(provider.createBucket(bucket.toUpperCase()));
  t.true(isProviderError(duplicate, 'conflict'), String(duplicate));
  await provider.createBucket('fresh-bucket');
  t.truthy(fake.store.bucketByName('fresh-bucket'));
});

test('a missing bucket: a one-line usage error, or created with createBucket (never in a dry run)', async (t) => {
  const fake = await startB2Fake();
  t.teardown(() => fake.close());
  const missing = await t.throwsAsync(connectB2(fakeConfig(fake, 'not-there'), testContext()));
  t.true(missing instanceof UserError, String(missing));
  t.regex(missing!.message, /does not exist.*createBucket: true/);
  const dry = await connectB2(fakeConfig(fake, 'made-here', { createBucket: true }), testContext(undefined, true));
  t.is(fake.store.bucketByName('made-here'), undefined, 'a dry run creates nothing');
  t.is(await dry.stat('x'), undefined);
  await connectB2(fakeConfig(fake, 'made-here', { createBucket: true }), testContext());
  t.is(fake.store.bucketByName('made-here')?.bucketType, 'allPrivate');
});

test('settings: bad bucket names and plain-http endpoints are refused before any request; locations carry no secret', (t) => {
  const parse = (extra: Record<string, unknown>) => b2Plugin.configSchema.safeParse({ keyId: 'id', applicationKey: 'secret-key', bucket: 'my-backups', ...extra });
  t.true(parse({}).success);
  const badName = parse({ bucket: 'my_backups' });
  t.false(badName.success);
  t.regex(JSON.stringify(badName.error?.issues), /B2 bucket naming rule \\"characters\\"/);
  t.false(parse({ apiUrl: 'http://example.com' }).success, 'plain http only to this machine');
  t.true(parse({ apiUrl: 'http://127.0.0.1:9000' }).success);
  t.false(parse({ unknown: 1 }).success, 'strict: unknown fields are errors');
  t.false(parse({ partSize: 1000 }).success, 'parts below 5 MB are refused');
  const config = b2Plugin.configSchema.parse({ keyId: 'id', applicationKey: 'secret-key', bucket: 'my-backups', prefix: '/laptop/home/' });
  t.is(b2Plugin.describeLocation!(config, { baseDir: '/' }), 'my-backups/laptop/home');
  t.deepEqual(b2Plugin.secretFields, ['applicationKey']);
  t.deepEqual(parseB2Target('my-backups/photos/2024/'), { bucket: 'my-backups', prefix: 'photos/2024' });
  t.deepEqual(parseB2Target('my-backups'), { bucket: 'my-backups' });
});

test('capabilities: immutable, on-upload mtime to the millisecond, forced versions, no copy or move', (t) => {
  const c = b2Plugin.capabilities;
  t.like(c, { immutable: true, metadata: true, versioning: 'forced', serverSideCopy: false, serverSideMove: false, folders: 'virtual', caseSensitive: true, maxObjectSize: 10_000_000_000_000 });
  t.deepEqual(c.mtime, { support: 'on-upload', precisionMs: 1 });
  t.deepEqual(c.hashes, ['sha1']);
  t.like(c.chunkedUpload, { minPartSize: 5_000_000, maxPartSize: 5_000_000_000, maxParts: 10_000 });
});
