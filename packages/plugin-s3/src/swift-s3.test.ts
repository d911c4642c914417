import { CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { isProviderError, MemoryLogger, UserError } from '@nimbus/kernel';
import { digestStream, randomBytesStream } from '@nimbus/testkit';
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { connectS3 } from './connect.js';
import { swiftConfig, createTestBucket, deleteTestBucket, emptyPrefix, ensureSwiftServer, rawClient, testContext, uniqueBucketName } from './test-support/swift-s3.js';

const MiB = 1024 * 1024;
const server = await ensureSwiftServer();
const admin = rawClient(server);
const bucket = await createTestBucket(admin, 'plugin');
const createdBuckets: string[] = [];

async function provider(t: { teardown: (fn: () => Promise<void>) => void }, extra: Record<string, unknown> = {}, options: { singleCopyLimit?: number } = {}) {
  const prefix = `t-${randomUUID()}`;
  const p = await connectS3(swiftConfig(server, bucket, { prefix, ...extra }), testContext(), options);
  t.teardown(async () => {
    await p.close();
    await emptyPrefix(admin, bucket, `${prefix}/`);
  });
  return { p, prefix };
}

const uploadsUnder = async (prefix: string) => (await admin.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }))).Uploads ?? [];
const etagOf = async (key: string) => (await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ETag ?? '';

/** A body of `size` bytes (64 KiB chunks) that fails after `failAfter` bytes. */
function failingAfter(failAfter: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= failAfter) return void this.destroy(new Error('disk read failed'));
      sent += 64 * 1024;
      this.push(Buffer.alloc(64 * 1024, 7));
    },
  });
}

test('a file above the threshold goes up in parts sized from its size (40 MiB → 3 × 16 MiB), byte for byte', async (t) => {
  const { p, prefix } = await provider(t);
  const size = 40 * MiB;
  const entry = await p.write('big/forty.bin', randomBytesStream(size, 'forty'), { size, metadata: { 'nimbus-mtime': '123' } });
  t.is(entry.size, size);
  t.is(entry.hashes, undefined, 'a multipart ETag is not an MD5: no hash is claimed');
  t.regex(await etagOf(`${prefix}/big/forty.bin`), /-3"$/, 'three parts');
  const read = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}/big/forty.bin` }));
  t.deepEqual(await digestStream(read.Body as Readable), await digestStream(randomBytesStream(size, 'forty')));
  const stat = await p.stat('big/forty.bin');
  t.like(stat, { size, metadata: { 'nimbus-mtime': '123' } });
  t.is(stat?.hashes, undefined);
  t.deepEqual(await uploadsUnder(`${prefix}/`), [], 'no upload left open');
});

test('a body of unknown size above the threshold becomes a multipart upload (16 MiB + rest)', async (t) => {
  const { p, prefix } = await provider(t);
  const size = 20 * MiB + 3;
  const entry = await p.write('unsized.bin', randomBytesStream(size, 'unsized'));
  t.is(entry.size, size);
  t.regex(await etagOf(`${prefix}/unsized.bin`), /-2"$/);
  t.deepEqual(await digestStream(await p.read('unsized.bin')), await digestStream(randomBytesStream(size, 'unsized')));
});

test('a multipart upload whose body fails, or that is aborted, is aborted: no object, no parts left', async (t) => {
  const { p, prefix } = await provider(t, { partConcurrency: 2 });
  await t.throwsAsync(p.write('failed.bin', failingAfter(40 * MiB), { size: 64 * MiB }), { message: 'disk read failed' });
  const controller = new AbortController();
  const aborted = p.write('aborted.bin', randomBytesStream(64 * MiB, 'abort'), {
    size: 64 * MiB,
    signal: controller.signal,
    onProgress: (sent) => sent >= 20 * MiB && controller.abort(),
  });
  t.is((await t.throwsAsync(aborted))?.name, 'AbortError');
  t.is(await p.stat('failed.bin'), undefined);
  t.is(await p.stat('aborted.bin'), undefined);
  t.deepEqual(await uploadsUnder(`${prefix}/`), [], 'every multipart upload was aborted');
});

test('a body longer or shorter than declared is refused as a conflict and stores nothing', async (t) => {
  const { p, prefix } = await provider(t);
  t.true(isProviderError(await t.throwsAsync(p.write('short.bin', randomBytesStream(17 * MiB, 's'), { size: 20 * MiB })), 'conflict'));
  t.true(isProviderError(await t.throwsAsync(p.write('long.bin', randomBytesStream(3 * MiB, 'l'), { size: 1 * MiB })), 'conflict'));
  t.is(await p.stat('short.bin'), undefined);
  t.deepEqual(await uploadsUnder(`${prefix}/`), []);
});

test('cleanupIncomplete aborts uploads a killed run left below the prefix, and only those', async (t) => {
  const { p, prefix } = await provider(t);
  const other = `other-${randomUUID()}`;
  for (const key of [`${prefix}/left.bin`, `${other}/not-mine.bin`]) {
    const { UploadId } = await admin.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    await admin.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: Buffer.alloc(5 * MiB) }));
  }
  t.is(await p.cleanupIncomplete(), 1);
  t.deepEqual(await uploadsUnder(`${prefix}/`), []);
  t.is((await uploadsUnder(`${other}/`)).length, 1, 'uploads outside the prefix are left alone');
  await emptyPrefix(admin, bucket, `${other}/`);
});

test('objects above the single-copy limit are copied in parts (UploadPartCopy), metadata kept', async (t) => {
  const { p, prefix } = await provider(t, {}, { singleCopyLimit: 5 * MiB });
  const size = 12 * MiB + 5;
  await p.write('src.bin', randomBytesStream(size, 'copy'), { size, metadata: { 'nimbus-size': String(size) } });
  const copied = await p.copy('src.bin', 'dst/copy.bin');
  t.is(copied.size, size);
  t.regex(await etagOf(`${prefix}/dst/copy.bin`), /-\d+"$/, 'a multipart copy');
  t.deepEqual(await digestStream(await p.read('dst/copy.bin')), await digestStream(randomBytesStream(size, 'copy')));
  t.like((await p.stat('dst/copy.bin'))?.metadata, { 'nimbus-size': String(size) });
});

test('wrong credentials fail with auth and never show the secret; a missing bucket is named', async (t) => {
  const secret = 'not-the-right-secret-1234';
  const error = await t.throwsAsync(connectS3(swiftConfig(server, bucket, { secretAccessKey: secret }), testContext()));
  t.true(isProviderError(error, 'auth'), String(error));
  t.false(error!.message.includes(secret), error!.message);
  t.regex(error!.message, /SignatureDoesNotMatch/);
  const missing = uniqueBucketName('missing');
  const notThere = await t.throwsAsync(connectS3(swiftConfig(server, missing), testContext()));
  t.true(notThere instanceof UserError);
  t.is(notThere!.message, `bucket "${missing}" at 127.0.0.1:8080 does not exist: create it, correct the name, or set createBucket: true`);
});

test('createBucket: a missing bucket is created (not in a dry run); listBuckets shows it; bad names never reach the server', async (t) => {
  const name = uniqueBucketName('created');
  createdBuckets.push(name);
  const dry = await connectS3(swiftConfig(server, name, { createBucket: true }), { ...testContext(), dryRun: true });
  t.deepEqual(await collect(dry.list('', { recursive: true })), [], 'a dry run sees an empty destination');
  t.false((await dry.listBuckets()).some((b) => b.name === name), 'and creates nothing');
  await dry.close();
  const logger = new MemoryLogger();
  const p = await connectS3(swiftConfig(server, name, { createBucket: true }), testContext(logger));
  t.teardown(() => p.close());
  t.true(logger.lines.some((l) => l.message.includes(`created bucket "${name}"`)));
  t.true((await p.listBuckets()).some((b) => b.name === name));
  const refused = await t.throwsAsync(p.createBucket('Bad_Name'));
  t.true(refused instanceof UserError);
  t.regex(refused!.message, /naming rule "characters"/);
  const second = uniqueBucketName('located');
  createdBuckets.push(second);
  await p.createBucket(second, { location: 'us-east-1' });
  t.true((await p.listBuckets()).some((b) => b.name === second));
});

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...page);
  return out;
}

test.after.always(async () => {
  await Promise.all([bucket, ...createdBuckets].map((b) => deleteTestBucket(admin, b)));
  admin.destroy();
});
