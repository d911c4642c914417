import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { MemoryLogger, type PluginContext } from '@nimbus/kernel';
import { ensureSwiftServer, type SwiftServer } from '@nimbus/testkit';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { s3ConfigSchema, type S3Config } from '../config.js';
import { abortIncompleteUploads } from '../incomplete-uploads.js';
import { S3ErrorMapper } from '../s3-errors.js';

/** Settings for the plugin pointed at the Swift server's S3 API (tests only). */
export function swiftSettings(server: SwiftServer, bucket: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    bucket,
    endpoint: server.s3Endpoint,
    useHttps: false,
    s3Compatible: true,
    region: server.region,
    accessKeyId: server.s3AccessKeyId,
    secretAccessKey: server.s3SecretAccessKey,
    ...extra,
  };
}

export function swiftConfig(server: SwiftServer, bucket: string, extra: Record<string, unknown> = {}): S3Config {
  return s3ConfigSchema.parse(swiftSettings(server, bucket, extra));
}

export function testContext(logger = new MemoryLogger()): PluginContext {
  return { logger, stateDir: tmpdir(), baseDir: process.cwd(), dryRun: false };
}

/** A plain SDK client on the server, independent of the plugin: to set up and to check what is really stored. */
export function rawClient(server: SwiftServer, endpoint = server.s3Endpoint): S3Client {
  return new S3Client({
    endpoint,
    region: server.region,
    forcePathStyle: true,
    credentials: { accessKeyId: server.s3AccessKeyId, secretAccessKey: server.s3SecretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** A unique DNS-style bucket name. */
export function uniqueBucketName(label: string): string {
  return `nimbus-${label}-${randomUUID().slice(0, 8)}`;
}

export async function createTestBucket(client: S3Client, label: string, options: { versioned?: boolean } = {}): Promise<string> {
  const bucket = uniqueBucketName(label);
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  if (options.versioned) await client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  return bucket;
}

/** Remove every object version, delete marker and incomplete upload below `prefix` (one DeleteObject each: Swift refuses DeleteObjects without Content-MD5). */
export async function emptyPrefix(client: S3Client, bucket: string, prefix: string): Promise<void> {
  await abortIncompleteUploads({ client, bucket, errors: new S3ErrorMapper(bucket, []) }, prefix);
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  for (;;) {
    const page = await client.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        Prefix: prefix,
        ...(keyMarker !== undefined ? { KeyMarker: keyMarker } : {}),
        ...(versionIdMarker !== undefined ? { VersionIdMarker: versionIdMarker } : {}),
      }),
    );
    const all = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])];
    await Promise.all(
      all.map((v) =>
        client.send(new DeleteObjectCommand({ Bucket: bucket, Key: v.Key!, ...(v.VersionId && v.VersionId !== 'null' ? { VersionId: v.VersionId } : {}) })),
      ),
    );
    if (!page.IsTruncated) break;
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
  }
}

/**
 * Empty and delete a test bucket, best effort: Swift's container object counts are updated
 * asynchronously and may lag (no object-updater runs in the all-in-one server), so a
 * bucket emptied under load can still read as "not empty" for a while. A leftover empty
 * bucket on the test server harms nothing; the caller is told.
 */
export async function deleteTestBucket(client: S3Client, bucket: string): Promise<boolean> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      await emptyPrefix(client, bucket, '');
      await client.send(new DeleteBucketCommand({ Bucket: bucket }));
      return true;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
  return false;
}

export { ensureSwiftServer };
