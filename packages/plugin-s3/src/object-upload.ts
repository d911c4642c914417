import type { S3Client } from '@aws-sdk/client-s3';
import { uploadInParts, type RequestPacer, type ResumableWrite } from '@nimbus/kernel/plugin';
import type { Readable } from 'node:stream';
import { S3MultipartProtocol } from './multipart-protocol.js';
import { growingPartSize, partSizeFor } from './part-size.js';
import type { S3ErrorMapper } from './s3-errors.js';

export interface UploadTarget {
  readonly client: S3Client;
  readonly bucket: string;
  readonly key: string;
  /** For messages: the path as the caller named it. */
  readonly path: string;
  readonly errors: S3ErrorMapper;
}

export interface UploadSettings {
  /** Bodies at or above this size go up as multipart uploads. */
  readonly threshold: number;
  /** Parts of this upload in flight at once. */
  readonly partConcurrency: number;
  /** Tries per part before the whole upload fails (transient errors only). */
  readonly partAttempts?: number;
}

export interface UploadRequest {
  readonly body: Readable;
  readonly size?: number;
  readonly metadata?: Readonly<Record<string, string>>;
  /** Omitted (the service's default, STANDARD) when undefined. */
  readonly storageClass?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (bytes: number) => void;
  /** Keep the multipart upload where a later write of the same source resumes it. */
  readonly resume?: ResumableWrite;
  /** The connection's pacer, for each request of the upload (WriteOptions.pacer). */
  readonly pacer?: RequestPacer;
}

export interface UploadResult {
  readonly size: number;
  /** Lower-case hex MD5 of the content: known for single-request uploads only. */
  readonly md5?: string;
  readonly versionId?: string;
  /** Parts of a multipart upload, 0 for a single PutObject. */
  readonly parts: number;
  /** Parts a resumed multipart upload already held (not sent again). */
  readonly partsResumed: number;
}

/**
 * Upload one object so that it appears complete or not at all: a single PutObject below
 * the threshold, otherwise a multipart upload driven by the kernel (parallel parts, per-part
 * retries, abort on failure, resume from the cloud database). Part sizes come from the size
 * (10,000 parts hold 5 TiB), or grow as the body goes on when the size is unknown.
 */
export async function uploadObject(target: UploadTarget, request: UploadRequest, settings: UploadSettings): Promise<UploadResult> {
  const known = request.size;
  const multipartKnown = known !== undefined && known >= settings.threshold;
  const partSize = multipartKnown ? partSizeFor(known) : 0;
  // Part 1 of a body that may turn out small is `threshold` long: if nothing follows, one PutObject sends it.
  const sizeOf = (n: number) => (multipartKnown ? partSize : n === 1 ? settings.threshold : growingPartSize(n));
  const protocol = new S3MultipartProtocol(target, {
    ...(request.metadata ? { metadata: request.metadata } : {}),
    ...(request.storageClass ? { storageClass: request.storageClass } : {}),
  });
  const sent = await uploadInParts(protocol, request.body, {
    path: target.path,
    ...(known !== undefined ? { size: known } : {}),
    sizeOf,
    partConcurrency: settings.partConcurrency,
    ...(settings.partAttempts !== undefined ? { partAttempts: settings.partAttempts } : {}),
    ...(request.signal ? { signal: request.signal } : {}),
    ...(request.onProgress ? { onProgress: request.onProgress } : {}),
    ...(request.resume ? { resume: request.resume } : {}),
    ...(request.pacer ? { pacer: request.pacer } : {}),
  });
  return { size: sent.size, parts: sent.parts, partsResumed: sent.partsResumed, ...sent.result };
}
