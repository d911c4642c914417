import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  RestoreObjectCommand,
  S3Client,
  UploadPartCommand,
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
/** `days` null: a request without Days. */
const restore = (s: Setup, key: string, days: number | null = 3, tier: 'Standard' | 'Bulk' | 'Expedited' = 'Bulk') =>
  s.client.send(
    new RestoreObjectCommand({ Bucket: s.bucket, Key: key, RestoreRequest: { ...(days !== null ? { Days: days } : {}), GlacierJobParameters: { Tier: tier } } }),
  );
const DAY = 86_400_000;
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

// "If the object is previously restored, Amazon S3 returns 200 OK"; "Code: RestoreAlreadyInProgress ... 409 Conflict"
// (RestoreObject). Expiry at midnight UTC: "x-amz-restore: ongoing-request=\"false\", expiry-date=\"Fri, 21 Dec 2012
// 00:00:00 GMT\"" (HeadObject); "Amazon S3 updates the restoration period relative to the current time" (RestoreObject).
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

  s.clock.now += 5 * 3_600_000; // the restore finishes at 05:00 UTC
  s.proxy.completeRestore(s.bucket, 'cold.txt');
  const expires = Date.UTC(2030, 0, 5); // 3 days later, rounded up to midnight UTC
  const head = await s.client.send(new HeadObjectCommand({ Bucket: s.bucket, Key: 'cold.txt' }));
  t.is(head.Restore, `ongoing-request="false", expiry-date="${new Date(expires).toUTCString()}"`);
  t.is(head.StorageClass, 'GLACIER', 'a restored object stays in its class');
  t.is(await getText(s, 'cold.txt'), 'frozen');
  const relisted = await s.client.send(new ListObjectsV2Command({ Bucket: s.bucket, OptionalObjectAttributes: ['RestoreStatus'] }));
  t.deepEqual(relisted.Contents?.[0]?.RestoreStatus, { IsRestoreInProgress: false, RestoreExpiryDate: new Date(expires) });
  t.is((await restore(s, 'cold.txt', 5)).$metadata.httpStatusCode, 200, 'a restored copy is extended');
  t.is(
    (await s.client.send(new HeadObjectCommand({ Bucket: s.bucket, Key: 'cold.txt' }))).Restore,
    `ongoing-request="false", expiry-date="${new Date(Date.UTC(2030, 0, 7)).toUTCString()}"`,
    'an extension counts from now, rounded up to midnight UTC',
  );
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
  s.clock.now += 2 * DAY; // past the midnight that ends the copy
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

// "Expedited retrievals and provisioned capacity are not available for the DEEP_ARCHIVE storage class."
// Days: "If you are restoring an archive, this element is required." (POST Object restore)
// "NoSuchKey: The specified key does not exist. 404 Not Found" (S3 error codes)
test('restore requests are checked as Amazon does: Days required, no Expedited for DEEP_ARCHIVE, 404 NoSuchKey for a missing key', async (t) => {
  const s = await setup(t);
  await put(s, 'cold.txt', 'frozen');
  await put(s, 'deep.txt', 'deeper');
  s.proxy.archive(s.bucket, 'cold.txt');
  s.proxy.archive(s.bucket, 'deep.txt', 'DEEP_ARCHIVE');
  t.is(await codeOf(restore(s, 'cold.txt', null)), 'MalformedXML 400', 'Days is required for a Glacier object');
  t.is(await codeOf(restore(s, 'deep.txt', 2, 'Expedited')), 'InvalidArgument 400', 'no Expedited from DEEP_ARCHIVE');
  t.is((await restore(s, 'deep.txt', 2, 'Standard')).$metadata.httpStatusCode, 202);
  t.is(await codeOf(restore(s, 'missing.txt')), 'NoSuchKey 404');
  t.deepEqual(
    s.proxy.restoreRequests.map((r) => [r.key, r.status, r.code]),
    [['cold.txt', 400, 'MalformedXML'], ['deep.txt', 400, 'InvalidArgument'], ['deep.txt', 202, undefined], ['missing.txt', 404, 'NoSuchKey']],
  );
});

// "Code: GlacierExpeditedRetrievalNotAvailable. Cause: expedited retrievals are currently not available. Try again later.
// (Returned if there is insufficient capacity to process the Expedited request. This error applies only to Expedited
// retrievals and not to S3 Standard or Bulk retrievals.) HTTP Status Code: 503" (RestoreObject)
test('without Expedited capacity an Expedited restore is 503 GlacierExpeditedRetrievalNotAvailable; Standard still works', async (t) => {
  const s = await setup(t);
  await put(s, 'cold.txt', 'frozen');
  s.proxy.archive(s.bucket, 'cold.txt');
  s.proxy.expeditedUnavailable = true;
  t.is(await codeOf(restore(s, 'cold.txt', 1, 'Expedited')), 'GlacierExpeditedRetrievalNotAvailable 503');
  t.deepEqual(s.proxy.restoreOf(s.bucket, 'cold.txt'), { phase: 'none' }, 'nothing started');
  t.is((await restore(s, 'cold.txt', 1, 'Standard')).$metadata.httpStatusCode, 202);
});

// x-amz-storage-class on PutObject, CreateMultipartUpload and CopyObject: "By default, Amazon S3 uses the STANDARD Storage
// Class to store newly created objects." Objects in GLACIER/DEEP_ARCHIVE "are not accessible in real time" (RestoreObject).
test('x-amz-storage-class is honoured on PUT, multipart upload and copy: GLACIER and DEEP_ARCHIVE objects are archived at once', async (t) => {
  const s = await setup(t);
  await s.client.send(new PutObjectCommand({ Bucket: s.bucket, Key: 'put.txt', Body: 'frozen', StorageClass: 'GLACIER' }));
  const created = await s.client.send(new CreateMultipartUploadCommand({ Bucket: s.bucket, Key: 'multi.bin', StorageClass: 'DEEP_ARCHIVE' }));
  const part = await s.client.send(new UploadPartCommand({ Bucket: s.bucket, Key: 'multi.bin', UploadId: created.UploadId, PartNumber: 1, Body: 'one part' }));
  await s.client.send(
    new CompleteMultipartUploadCommand({ Bucket: s.bucket, Key: 'multi.bin', UploadId: created.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }),
  );
  await put(s, 'warm.txt', 'online');
  await s.client.send(new CopyObjectCommand({ Bucket: s.bucket, Key: 'copy.txt', CopySource: `${s.bucket}/warm.txt`, StorageClass: 'GLACIER' }));
  await s.client.send(new PutObjectCommand({ Bucket: s.bucket, Key: 'ia.txt', Body: 'infrequent', StorageClass: 'STANDARD_IA' }));
  const classOf = async (key: string) => (await s.client.send(new HeadObjectCommand({ Bucket: s.bucket, Key: key }))).StorageClass ?? 'STANDARD';
  t.deepEqual(
    await Promise.all(['put.txt', 'multi.bin', 'copy.txt', 'ia.txt', 'warm.txt'].map(classOf)),
    ['GLACIER', 'DEEP_ARCHIVE', 'GLACIER', 'STANDARD_IA', 'STANDARD'],
  );
  for (const key of ['put.txt', 'multi.bin', 'copy.txt']) {
    t.is(await codeOf(s.client.send(new GetObjectCommand({ Bucket: s.bucket, Key: key }))), 'InvalidObjectState 403', key);
  }
  t.is(await getText(s, 'ia.txt'), 'infrequent', 'online classes stay readable');
  // "InvalidStorageClass: The storage class you specified is not valid. 400 Bad Request" (S3 error codes)
  t.is(await codeOf(s.client.send(new PutObjectCommand({ Bucket: s.bucket, Key: 'bad.txt', Body: 'x', StorageClass: 'ICE' as 'GLACIER' }))), 'InvalidStorageClass 400');
});

// "If you want a permanent copy of the object, restore the object, and then create a copy of it in your Amazon S3
// bucket." (Restoring an archived object); "The source object of the COPY action is not in the active tier and is only
// stored in Amazon S3 Glacier." (CopyObject, ObjectNotInActiveTierError)
test('a metadata rewrite by self-copy of an archived object is refused until it is restored; a restored one can be copied', async (t) => {
  const s = await setup(t);
  await s.client.send(new PutObjectCommand({ Bucket: s.bucket, Key: 'cold.txt', Body: 'frozen', StorageClass: 'GLACIER', Metadata: { a: '1' } }));
  const selfCopy = () =>
    s.client.send(
      new CopyObjectCommand({ Bucket: s.bucket, Key: 'cold.txt', CopySource: `${s.bucket}/cold.txt`, MetadataDirective: 'REPLACE', Metadata: { a: '2' }, StorageClass: 'GLACIER' }),
    );
  t.is(await codeOf(selfCopy()), 'InvalidObjectState 403');
  await restore(s, 'cold.txt', 1);
  t.is(await codeOf(selfCopy()), 'InvalidObjectState 403', 'not while the restore runs');
  s.proxy.completeRestore(s.bucket, 'cold.txt');
  await selfCopy();
  const head = await s.client.send(new HeadObjectCommand({ Bucket: s.bucket, Key: 'cold.txt' }));
  t.deepEqual([head.Metadata, head.StorageClass, head.Restore], [{ a: '2' }, 'GLACIER', undefined], 'the rewritten object is a new archived one');
});

// "To access objects in the S3 Intelligent-Tiering Archive Access and Deep Archive Access tiers, you must initiate a restore
// request and wait until the object is moved into the Frequent Access tier." (Restoring an archived object)
// "do not set ExpirationInDays when ... target S3 Intelligent-Tiering Archive Access and Deep Archive Access tier objects ...
// specifying ExpirationInDays results in restore request failure." (S3InitiateRestoreObjectOperation)
test('Intelligent-Tiering archive tiers: x-amz-archive-status on HEAD, GET refused, restore without Days, back online when done', async (t) => {
  const s = await setup(t);
  await s.client.send(new PutObjectCommand({ Bucket: s.bucket, Key: 'it.txt', Body: 'tiered', StorageClass: 'INTELLIGENT_TIERING' }));
  t.is(await getText(s, 'it.txt'), 'tiered', 'online in its frequent access tier');
  t.is(await codeOf(restore(s, 'it.txt', null, 'Standard')), 'InvalidObjectState 403', 'nothing to restore while online');
  s.proxy.tierDown(s.bucket, 'it.txt', 'DEEP_ARCHIVE_ACCESS');
  const head = await s.client.send(new HeadObjectCommand({ Bucket: s.bucket, Key: 'it.txt' }));
  t.deepEqual([head.StorageClass, head.ArchiveStatus], ['INTELLIGENT_TIERING', 'DEEP_ARCHIVE_ACCESS']);
  t.is(await codeOf(s.client.send(new GetObjectCommand({ Bucket: s.bucket, Key: 'it.txt' }))), 'InvalidObjectState 403');
  t.is(await codeOf(restore(s, 'it.txt', 3, 'Standard')), 'InvalidArgument 400', 'Days is refused');
  t.is(await codeOf(restore(s, 'it.txt', null, 'Expedited')), 'InvalidArgument 400', 'no Expedited from Deep Archive Access');
  t.is((await restore(s, 'it.txt', null, 'Standard')).$metadata.httpStatusCode, 202);
  const during = await s.client.send(new HeadObjectCommand({ Bucket: s.bucket, Key: 'it.txt' }));
  t.deepEqual([during.Restore, during.ArchiveStatus], ['ongoing-request="true"', 'DEEP_ARCHIVE_ACCESS']);
  s.proxy.completeRestore(s.bucket, 'it.txt');
  const after = await s.client.send(new HeadObjectCommand({ Bucket: s.bucket, Key: 'it.txt' }));
  t.deepEqual([after.StorageClass, after.ArchiveStatus, after.Restore], ['INTELLIGENT_TIERING', undefined, undefined]);
  t.is(await getText(s, 'it.txt'), 'tiered');
});
