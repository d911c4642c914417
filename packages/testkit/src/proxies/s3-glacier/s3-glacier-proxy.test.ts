import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  RestoreObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import test from 'ava';
import { randomBytes, randomUUID } from 'node:crypto';
import { ensureSwiftServer } from '../../servers/swift/index.js';
import { startS3GlacierProxy, type S3GlacierProxy } from './index.js';

const server = await ensureSwiftServer();
const clientFor = (endpoint: string) =>
  new S3Client({
    endpoint,
    region: server.region,
    forcePathStyle: true,
    credentials: { accessKeyId: server.s3AccessKeyId, secretAccessKey: server.s3SecretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });

interface Setup {
  proxy: S3GlacierProxy;
  client: S3Client;
  bucket: string;
  clock: { now: number };
}

/** A proxy (with its own clock) in front of Swift, and a fresh bucket reached through it. */
async function setup(t: { teardown: (fn: () => Promise<void>) => void }): Promise<Setup> {
  const clock = { now: Date.UTC(2030, 0, 1) };
  const proxy = await startS3GlacierProxy({ target: server.s3Endpoint, now: () => clock.now });
  const client = clientFor(proxy.endpoint);
  const bucket = `glacier-proxy-${randomUUID().slice(0, 8)}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  t.teardown(async () => {
    const direct = clientFor(server.s3Endpoint);
    const listed = await direct.send(new ListObjectsV2Command({ Bucket: bucket }));
    await Promise.all((listed.Contents ?? []).map((o) => direct.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.Key! }))));
    await direct.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
    direct.destroy();
    client.destroy();
    await proxy.close();
  });
  return { proxy, client, bucket, clock };
}

const put = (s: Setup, key: string, body: string | Buffer) => s.client.send(new PutObjectCommand({ Bucket: s.bucket, Key: key, Body: body }));
const getText = async (s: Setup, key: string) => (await (await s.client.send(new GetObjectCommand({ Bucket: s.bucket, Key: key }))).Body!.transformToString());
const restore = (s: Setup, key: string, days = 3, tier: 'Standard' | 'Bulk' | 'Expedited' = 'Bulk') =>
  s.client.send(new RestoreObjectCommand({ Bucket: s.bucket, Key: key, RestoreRequest: { Days: days, GlacierJobParameters: { Tier: tier } } }));
const codeOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (e: { name: string; $metadata?: { httpStatusCode?: number } }) => `${e.name} ${e.$metadata?.httpStatusCode}`,
  );

test('signed requests pass through unchanged: put, get, list, delete (odd names, 6 MiB body)', async (t) => {
  const s = await setup(t);
  const big = randomBytes(6 * 1024 * 1024);
  await put(s, 'dir/a b#%+?&ü.txt', 'odd name');
  await put(s, 'big.bin', big);
  t.is(await getText(s, 'dir/a b#%+?&ü.txt'), 'odd name');
  const got = await s.client.send(new GetObjectCommand({ Bucket: s.bucket, Key: 'big.bin' }));
  t.true(Buffer.from(await got.Body!.transformToByteArray()).equals(big), 'byte for byte');
  const listed = await s.client.send(new ListObjectsV2Command({ Bucket: s.bucket }));
  t.deepEqual(listed.Contents?.map((o) => [o.Key, o.StorageClass]), [['big.bin', 'STANDARD'], ['dir/a b#%+?&ü.txt', 'STANDARD']]);
  await s.client.send(new DeleteObjectCommand({ Bucket: s.bucket, Key: 'big.bin' }));
  t.is(await codeOf(s.client.send(new HeadObjectCommand({ Bucket: s.bucket, Key: 'big.bin' }))), 'NotFound 404');
});

test('an archived object: GLACIER in HEAD and listings, GET and copy refused with InvalidObjectState', async (t) => {
  const s = await setup(t);
  await put(s, 'cold.txt', 'frozen');
  await put(s, 'warm.txt', 'online');
  s.proxy.archive(s.bucket, 'cold.txt');
  s.proxy.archive(s.bucket, 'deep.txt', 'DEEP_ARCHIVE'); // state for a key that does not exist: HEAD still says 404
  const head = await s.client.send(new HeadObjectCommand({ Bucket: s.bucket, Key: 'cold.txt' }));
  t.is(head.StorageClass, 'GLACIER');
  t.is(head.Restore, undefined, 'no restore asked for yet');
  t.is(head.ContentLength, 6);
  const listed = await s.client.send(new ListObjectsV2Command({ Bucket: s.bucket }));
  t.deepEqual(listed.Contents?.map((o) => [o.Key, o.StorageClass]), [['cold.txt', 'GLACIER'], ['warm.txt', 'STANDARD']]);
  t.is(await codeOf(s.client.send(new GetObjectCommand({ Bucket: s.bucket, Key: 'cold.txt' }))), 'InvalidObjectState 403');
  t.is(
    await codeOf(s.client.send(new CopyObjectCommand({ Bucket: s.bucket, Key: 'copy.txt', CopySource: `${s.bucket}/cold.txt` }))),
    'InvalidObjectState 403',
  );
  t.is(await codeOf(s.client.send(new HeadObjectCommand({ Bucket: s.bucket, Key: 'deep.txt' }))), 'NotFound 404');
  t.is(await getText(s, 'warm.txt'), 'online');
});

test('restore: 202, then 409 while running, readable with an expiry once complete, 200 when asked again', async (t) => {
  const s = await setup(t);
  await put(s, 'cold.txt', 'frozen');
  s.proxy.archive(s.bucket, 'cold.txt');
  t.is((await restore(s, 'cold.txt', 3, 'Bulk')).$metadata.httpStatusCode, 202);
  t.is(await codeOf(restore(s, 'cold.txt')), 'RestoreAlreadyInProgress 409');
  t.is((await s.client.send(new HeadObjectCommand({ Bucket: s.bucket, Key: 'cold.txt' }))).Restore, 'ongoing-request="true"');
  const listed = await s.client.send(new ListObjectsV2Command({ Bucket: s.bucket, OptionalObjectAttributes: ['RestoreStatus'] }));
  t.deepEqual(listed.Contents?.[0]?.RestoreStatus, { IsRestoreInProgress: true });
  t.is(await codeOf(s.client.send(new GetObjectCommand({ Bucket: s.bucket, Key: 'cold.txt' }))), 'InvalidObjectState 403', 'not readable while restoring');

  s.proxy.completeRestore(s.bucket, 'cold.txt');
  const expires = s.clock.now + 3 * 86_400_000;
  const head = await s.client.send(new HeadObjectCommand({ Bucket: s.bucket, Key: 'cold.txt' }));
  t.is(head.Restore, `ongoing-request="false", expiry-date="${new Date(expires).toUTCString()}"`);
  t.is(head.StorageClass, 'GLACIER', 'a restored object stays in its class');
  t.is(await getText(s, 'cold.txt'), 'frozen');
  const relisted = await s.client.send(new ListObjectsV2Command({ Bucket: s.bucket, OptionalObjectAttributes: ['RestoreStatus'] }));
  t.deepEqual(relisted.Contents?.[0]?.RestoreStatus, { IsRestoreInProgress: false, RestoreExpiryDate: new Date(expires) });
  t.is((await restore(s, 'cold.txt', 5)).$metadata.httpStatusCode, 200, 'a restored copy is extended');
  t.deepEqual(
    s.proxy.restoreRequests.map((r) => [r.key, r.days, r.tier, r.status]),
    [['cold.txt', 3, 'Bulk', 202], ['cold.txt', 3, 'Bulk', 409], ['cold.txt', 5, 'Bulk', 200]],
  );
});

test('a temporary copy expires (by the clock or on demand) and the object is archived again', async (t) => {
  const s = await setup(t);
  await put(s, 'cold.txt', 'frozen');
  s.proxy.archive(s.bucket, 'cold.txt');
  await restore(s, 'cold.txt', 1);
  s.proxy.completeRestore(s.bucket, 'cold.txt');
  t.is(await getText(s, 'cold.txt'), 'frozen');
  s.clock.now += 86_400_000 + 1;
  t.is(await codeOf(s.client.send(new GetObjectCommand({ Bucket: s.bucket, Key: 'cold.txt' }))), 'InvalidObjectState 403');
  t.is((await s.client.send(new HeadObjectCommand({ Bucket: s.bucket, Key: 'cold.txt' }))).Restore, undefined);
  t.is((await restore(s, 'cold.txt')).$metadata.httpStatusCode, 202, 'an expired copy can be requested again');
  s.proxy.completeRestore(s.bucket, 'cold.txt');
  s.proxy.expireRestore(s.bucket, 'cold.txt');
  t.deepEqual(s.proxy.restoreOf(s.bucket, 'cold.txt'), { phase: 'none' });
  t.is(await codeOf(s.client.send(new GetObjectCommand({ Bucket: s.bucket, Key: 'cold.txt' }))), 'InvalidObjectState 403');
});

test('restore of an online object is refused; overwriting an archived key makes it online', async (t) => {
  const s = await setup(t);
  await put(s, 'warm.txt', 'online');
  t.is(await codeOf(restore(s, 'warm.txt')), 'InvalidObjectState 403');
  s.proxy.archive(s.bucket, 'warm.txt');
  await put(s, 'warm.txt', 'replaced');
  t.is(s.proxy.restoreOf(s.bucket, 'warm.txt'), undefined);
  t.is(await getText(s, 'warm.txt'), 'replaced');
});
