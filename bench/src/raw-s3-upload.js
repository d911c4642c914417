#!/usr/bin/env node
// The server's own limit for one big file: a parallel multipart upload through
// @aws-sdk/client-s3 alone (no Nimbus, no checksums beyond what the SDK requires), with the
// part size and part concurrency Nimbus's S3 plugin uses by default. Run as a child process
// (measured like the tools): node raw-s3-upload.js <json settings>
import { open } from 'node:fs/promises';
import { Agent } from 'node:http';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';

export const RAW_PART_SIZE = 16 * 1024 * 1024;
export const RAW_PART_CONCURRENCY = 4;

async function upload({ file, bucket, key, endpoint, region, accessKeyId, secretAccessKey }) {
  const client = new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 64 }) },
  });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  const handle = await open(file);
  const { size } = await handle.stat();
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  const partCount = Math.ceil(size / RAW_PART_SIZE);
  const parts = [];
  let next = 1;
  const worker = async () => {
    while (next <= partCount) {
      const partNumber = next++;
      const offset = (partNumber - 1) * RAW_PART_SIZE;
      const length = Math.min(RAW_PART_SIZE, size - offset);
      const body = Buffer.allocUnsafe(length);
      await handle.read(body, 0, length, offset);
      const { ETag } = await client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: partNumber, Body: body, ContentLength: length }));
      parts.push({ PartNumber: partNumber, ETag });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(RAW_PART_CONCURRENCY, partCount) }, worker));
    parts.sort((x, y) => x.PartNumber - y.PartNumber);
    await client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
  } catch (error) {
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId })).catch(() => {});
    throw error;
  } finally {
    await handle.close();
    client.destroy();
  }
  return { objects: 1, bytes: size, parts: partCount };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await upload(JSON.parse(process.argv[2]));
  process.stdout.write(JSON.stringify(result));
}
