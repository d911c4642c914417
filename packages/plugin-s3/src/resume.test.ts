import { CreateMultipartUploadCommand, GetObjectCommand, ListMultipartUploadsCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { CloudDatabase } from '@nimbus/kernel';
import { digestStream, makeTempDir, randomBytesStream, startFaultInjectionProxy } from '@nimbus/testkit';
import test from 'ava';
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { connectS3 } from './connect.js';
import { createTestBucket, emptyPrefix, ensureSwiftServer, rawClient, swiftConfig, testContext } from './test-support/swift-s3.js';

const MiB = 1024 * 1024;
const PART = 16 * MiB;
const server = await ensureSwiftServer();
const admin = rawClient(server);
const bucket = await createTestBucket(admin, 'resume');

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A session as a killed run leaves it: the upload started, some parts stored, all recorded in the cloud database. */
async function leftSession(db: CloudDatabase, key: string, path: string, parts: Buffer[]) {
  const { UploadId } = await admin.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  await db.saveUploadSession({ path, source: 'same-source', state: UploadId!, partSize: PART, startedAt: Date.now() });
  for (const [i, data] of parts.entries()) {
    const { ETag } = await admin.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body: data }));
    await db.addUploadPart(path, { number: i + 1, size: data.length, digest: createHash('md5').update(data).digest('hex'), token: ETag! });
  }
  return UploadId!;
}

test('a resumed upload sends only the parts the service does not hold with the same bytes: a held part of other content (same size) is sent again', async (t) => {
  const dir = await makeTempDir('nimbus-s3-resume-');
  t.teardown(dir.cleanup);
  const db = await CloudDatabase.open(join(dir.path, 'cloud.sqlite'));
  t.teardown(() => db.close());
  const proxy = await startFaultInjectionProxy({ target: server.s3Endpoint, seed: 'resume' });
  t.teardown(() => proxy.close());
  const prefix = `t-${randomUUID()}`;
  const p = await connectS3(swiftConfig(server, bucket, { prefix, endpoint: proxy.endpoint }), testContext());
  t.teardown(async () => {
    await p.close();
    await emptyPrefix(admin, bucket, `${prefix}/`);
  });
  const size = 3 * PART + 5;
  const content = await bytesOf(randomBytesStream(size, 'resume-content'));
  // Part 1 as the source has it now; part 2 of the same size but other bytes (the file changed in place).
  await leftSession(db, `${prefix}/big.bin`, 'big.bin', [content.subarray(0, PART), Buffer.alloc(PART, 1)]);

  proxy.resetCounts();
  const before = proxy.seen.length;
  await p.write('big.bin', randomBytesStream(size, 'resume-content'), { size, resume: { store: db, source: 'same-source' } });
  const partsSent = proxy.seen.slice(before).filter((r) => r.method === 'PUT' && /[?&]partNumber=/.test(r.url)).map((r) => Number(/partNumber=(\d+)/.exec(r.url)![1]));
  t.deepEqual(partsSent.sort(), [2, 3, 4], 'part 1 was resumed; part 2 (other bytes) and the rest were sent');
  const stored = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}/big.bin` }));
  t.deepEqual(await digestStream(stored.Body as Readable), await digestStream(randomBytesStream(size, 'resume-content')), 'the object is the source, byte for byte');
  t.is(await db.findUploadSession('big.bin'), undefined, 'the finished session is forgotten');
});

test('a saved session of another source is aborted at the service and forgotten; the upload starts afresh', async (t) => {
  const dir = await makeTempDir('nimbus-s3-resume-');
  t.teardown(dir.cleanup);
  const db = await CloudDatabase.open(join(dir.path, 'cloud.sqlite'));
  t.teardown(() => db.close());
  const prefix = `t-${randomUUID()}`;
  const p = await connectS3(swiftConfig(server, bucket, { prefix }), testContext());
  t.teardown(async () => {
    await p.close();
    await emptyPrefix(admin, bucket, `${prefix}/`);
  });
  const size = 2 * PART;
  const content = await bytesOf(randomBytesStream(size, 'other'));
  const old = await leftSession(db, `${prefix}/big.bin`, 'big.bin', [content.subarray(0, PART)]);
  await p.write('big.bin', randomBytesStream(size, 'other'), { size, resume: { store: db, source: 'changed-source' } });
  const uploads = (await admin.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: `${prefix}/` }))).Uploads ?? [];
  t.false(uploads.some((u) => u.UploadId === old), 'the old upload was aborted');
  t.deepEqual(uploads, [], 'no upload left open');
  t.is(await db.findUploadSession('big.bin'), undefined);
});
