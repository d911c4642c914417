import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  UploadPartCopyCommand,
  type CompletedPart,
  type S3Client,
  type StorageClass as SdkStorageClass,
} from '@aws-sdk/client-s3';
import { partSizeFor, S3_PART_LIMITS } from './part-size.js';
import type { S3ErrorMapper } from './s3-errors.js';

export interface CopyContext {
  readonly client: S3Client;
  readonly bucket: string;
  readonly errors: S3ErrorMapper;
  /** Sources above this size are copied in parts (S3 refuses CopyObject above 5 GiB). */
  readonly singleCopyLimit: number;
  readonly partConcurrency: number;
}

export interface CopySpec {
  readonly fromKey: string;
  readonly toKey: string;
  /** Size of the source, from a HEAD just before. */
  readonly size: number;
  /** The source's metadata, needed when copying in parts or replacing it. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Replace the metadata instead of copying it (used to change the metadata of an object in place). */
  readonly replaceMetadata?: boolean;
  readonly storageClass?: string;
  /** For messages. */
  readonly what: string;
}

/** x-amz-copy-source: bucket and key, URL-encoded (the SDK sends it as given). */
export function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** Copy an object inside the bucket without downloading it: CopyObject, or UploadPartCopy above 5 GiB. */
export async function copyObject(context: CopyContext, spec: CopySpec): Promise<{ etag?: string; lastModified?: Date; versionId?: string }> {
  if (spec.size > context.singleCopyLimit) return copyInParts(context, spec);
  const output = await context.errors.run(spec.what, () =>
    context.client.send(
      new CopyObjectCommand({
        Bucket: context.bucket,
        Key: spec.toKey,
        CopySource: copySource(context.bucket, spec.fromKey),
        ...(spec.replaceMetadata ? { MetadataDirective: 'REPLACE', Metadata: { ...spec.metadata } } : {}),
        ...(spec.storageClass ? { StorageClass: spec.storageClass as SdkStorageClass } : {}),
      }),
    ),
  );
  return {
    ...(output.CopyObjectResult?.ETag ? { etag: output.CopyObjectResult.ETag } : {}),
    ...(output.CopyObjectResult?.LastModified ? { lastModified: output.CopyObjectResult.LastModified } : {}),
    ...(output.VersionId ? { versionId: output.VersionId } : {}),
  };
}

async function copyInParts(context: CopyContext, spec: CopySpec): Promise<{ etag?: string; versionId?: string }> {
  const { client, bucket, errors } = context;
  // Parts at least as large as S3's minimum, and few enough to fit 10,000 of them.
  const partSize = Math.max(partSizeFor(spec.size, Math.min(context.singleCopyLimit, S3_PART_LIMITS.maxPartSize)), S3_PART_LIMITS.minPartSize);
  const created = await errors.run(spec.what, () =>
    client.send(
      new CreateMultipartUploadCommand({
        Bucket: bucket,
        Key: spec.toKey,
        Metadata: { ...spec.metadata },
        ...(spec.storageClass ? { StorageClass: spec.storageClass as SdkStorageClass } : {}),
      }),
    ),
  );
  const uploadId = created.UploadId!;
  const ranges: { number: number; start: number; end: number }[] = [];
  for (let start = 0, number = 1; start < spec.size; start += partSize, number++) {
    ranges.push({ number, start, end: Math.min(spec.size, start + partSize) - 1 });
  }
  const parts: CompletedPart[] = [];
  try {
    let next = 0;
    let failed = false;
    const worker = async () => {
      while (next < ranges.length && !failed) {
        const range = ranges[next++]!;
        const output = await errors.run(spec.what, () =>
          client.send(
            new UploadPartCopyCommand({
              Bucket: bucket,
              Key: spec.toKey,
              UploadId: uploadId,
              PartNumber: range.number,
              CopySource: copySource(bucket, spec.fromKey),
              CopySourceRange: `bytes=${range.start}-${range.end}`,
            }),
          ),
        );
        parts.push({ PartNumber: range.number, ETag: output.CopyPartResult?.ETag });
      }
    };
    const run = () => worker().catch((error: unknown) => {
      failed = true;
      throw error;
    });
    await Promise.all(Array.from({ length: Math.min(context.partConcurrency, ranges.length) }, run));
    parts.sort((a, b) => a.PartNumber! - b.PartNumber!);
    const done = await errors.run(spec.what, () =>
      client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: spec.toKey, UploadId: uploadId, MultipartUpload: { Parts: parts } })),
    );
    return { ...(done.ETag ? { etag: done.ETag } : {}), ...(done.VersionId ? { versionId: done.VersionId } : {}) };
  } catch (error) {
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: spec.toKey, UploadId: uploadId })).catch(() => undefined);
    throw error;
  }
}
