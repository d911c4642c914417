import { AbortMultipartUploadCommand, ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { S3ErrorMapper } from './s3-errors.js';

export interface IncompleteUpload {
  readonly key: string;
  readonly uploadId: string;
  readonly initiated?: Date;
}

/** Multipart uploads started below `prefix` and neither completed nor aborted. */
export async function listIncompleteUploads(context: { client: S3Client; bucket: string; errors: S3ErrorMapper }, prefix: string): Promise<IncompleteUpload[]> {
  const uploads: IncompleteUpload[] = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const page = await context.errors.run('list incomplete multipart uploads', () =>
      context.client.send(
        new ListMultipartUploadsCommand({
          Bucket: context.bucket,
          Prefix: prefix,
          ...(keyMarker !== undefined ? { KeyMarker: keyMarker } : {}),
          ...(uploadIdMarker !== undefined ? { UploadIdMarker: uploadIdMarker } : {}),
        }),
      ),
    );
    for (const u of page.Uploads ?? []) {
      if (u.Key !== undefined && u.UploadId) uploads.push({ key: u.Key, uploadId: u.UploadId, ...(u.Initiated ? { initiated: u.Initiated } : {}) });
    }
    if (!page.IsTruncated) return uploads;
    keyMarker = page.NextKeyMarker;
    uploadIdMarker = page.NextUploadIdMarker;
  }
}

/**
 * Abort every incomplete multipart upload below `prefix` (parts left by a killed run cost
 * storage and are invisible in listings). Only safe while no write to this prefix runs:
 * it would abort that write's upload too.
 */
export async function abortIncompleteUploads(context: { client: S3Client; bucket: string; errors: S3ErrorMapper }, prefix: string): Promise<number> {
  const uploads = await listIncompleteUploads(context, prefix);
  let aborted = 0;
  for (const u of uploads) {
    await context.errors.run(`abort the incomplete upload of "${u.key}"`, () =>
      context.client.send(new AbortMultipartUploadCommand({ Bucket: context.bucket, Key: u.key, UploadId: u.uploadId })),
    ).then(
      () => aborted++,
      (error: unknown) => {
        // Gone already (completed or aborted meanwhile) is what we wanted.
        if ((error as { kind?: string }).kind !== 'not-found') throw error;
      },
    );
  }
  return aborted;
}
