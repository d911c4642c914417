import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
  type StorageClass as SdkStorageClass,
} from '@aws-sdk/client-s3';
import { isProviderError, ProviderError, splitBody, type BodyPart } from '@nimbus/kernel/plugin';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
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
}

export interface UploadResult {
  readonly size: number;
  /** Lower-case hex MD5 of the content: known for single-request uploads only. */
  readonly md5?: string;
  readonly versionId?: string;
  /** Parts of a multipart upload, 0 for a single PutObject. */
  readonly parts: number;
}

const md5Of = (data: Buffer) => createHash('md5').update(data).digest();
/** The MD5 the splitter computed while the bytes arrived (one pass over them, not two). */
const md5OfPart = (part: Pick<BodyPart, 'data' | 'digest'>) => part.digest ?? md5Of(part.data);

function abortError(signal: AbortSignal): Error {
  const reason = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return Object.assign(new Error('the upload was aborted', { cause: reason }), { name: 'AbortError' });
}

/**
 * Upload one object so that it appears complete or not at all: a single PutObject below
 * the threshold, otherwise a multipart upload whose parts go up in parallel (bounded) and
 * that is completed only after every part arrived, or aborted on any failure, so no
 * orphaned parts stay behind. Part sizes come from the size (10,000 parts hold 5 TiB),
 * or grow as the body goes on when the size is unknown. Every request carries Content-MD5,
 * so the service rejects a corrupted body.
 */
export async function uploadObject(target: UploadTarget, request: UploadRequest, settings: UploadSettings): Promise<UploadResult> {
  const { signal } = request;
  if (signal?.aborted) throw abortError(signal);
  // Our own controller stops in-flight requests and the body on failure or abort.
  const controller = new AbortController();
  const onAbort = () => {
    controller.abort(signal!.reason);
    request.body.destroy(abortError(signal!));
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await uploadWith(target, request, settings, controller);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

async function uploadWith(
  target: UploadTarget,
  request: UploadRequest,
  settings: UploadSettings,
  controller: AbortController,
): Promise<UploadResult> {
  const known = request.size;
  const multipartKnown = known !== undefined && known >= settings.threshold;
  const partSize = multipartKnown ? partSizeFor(known) : 0;
  // Part 1 of a body that may turn out small is `threshold` long: if nothing follows, one PutObject sends it.
  const sizeOf = (n: number) => (multipartKnown ? partSize : n === 1 ? settings.threshold : growingPartSize(n));
  const split = await splitBody(request.body, { path: target.path, ...(known !== undefined ? { size: known } : {}), sizeOf, digest: 'md5', ...(request.onProgress ? { onProgress: request.onProgress } : {}) });
  if (split.kind === 'single') return putSingle(target, request, split, controller.signal);
  return putMultipart(target, request, settings, split.parts, controller);
}

async function putSingle(target: UploadTarget, request: UploadRequest, body: Pick<BodyPart, 'data' | 'digest'>, abortSignal: AbortSignal): Promise<UploadResult> {
  const { data } = body;
  const md5 = md5OfPart(body);
  const output = await target.errors.run(`upload "${target.path}"`, () =>
    target.client.send(
      new PutObjectCommand({
        Bucket: target.bucket,
        Key: target.key,
        Body: data,
        ContentLength: data.length,
        ContentMD5: md5.toString('base64'),
        ...(request.metadata ? { Metadata: { ...request.metadata } } : {}),
        ...(request.storageClass ? { StorageClass: request.storageClass as SdkStorageClass } : {}),
      }),
      { abortSignal },
    ),
  );
  if (data.length === 0) request.onProgress?.(0);
  return { size: data.length, md5: md5.toString('hex'), parts: 0, ...(output.VersionId ? { versionId: output.VersionId } : {}) };
}

async function putMultipart(
  target: UploadTarget,
  request: UploadRequest,
  settings: UploadSettings,
  parts: AsyncGenerator<BodyPart>,
  controller: AbortController,
): Promise<UploadResult> {
  const { client, bucket, key, errors } = target;
  const created = await errors.run(`start the multipart upload of "${target.path}"`, () =>
    client.send(
      new CreateMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        ...(request.metadata ? { Metadata: { ...request.metadata } } : {}),
        ...(request.storageClass ? { StorageClass: request.storageClass as SdkStorageClass } : {}),
      }),
      { abortSignal: controller.signal },
    ),
  );
  const uploadId = created.UploadId!;
  const completed: CompletedPart[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let size = 0;
  try {
    let partNumber = 0;
    for await (const part of parts) {
      if (failure !== undefined) break;
      const number = ++partNumber;
      size += part.data.length;
      const sending = sendPart(target, uploadId, number, part, controller.signal, settings.partAttempts ?? 3).then(
        (etag) => {
          completed.push({ PartNumber: number, ETag: etag });
          // Acknowledged: the request is over and its buffer can carry a later part.
          part.release();
        },
        (error) => {
          failure ??= error;
          controller.abort();
        },
      );
      inFlight.add(sending);
      void sending.finally(() => inFlight.delete(sending));
      if (inFlight.size >= settings.partConcurrency) await Promise.race(inFlight);
    }
  } catch (error) {
    failure ??= error;
    controller.abort();
  }
  await Promise.all(inFlight);
  if (failure === undefined && controller.signal.aborted) failure = abortError(controller.signal);
  if (failure !== undefined) {
    await abortUpload(target, uploadId);
    throw failure;
  }
  completed.sort((a, b) => a.PartNumber! - b.PartNumber!);
  try {
    const done = await errors.run(`complete the multipart upload of "${target.path}"`, () =>
      client.send(
        new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: completed } }),
        { abortSignal: controller.signal },
      ),
    );
    return { size, parts: completed.length, ...(done.VersionId ? { versionId: done.VersionId } : {}) };
  } catch (error) {
    await abortUpload(target, uploadId);
    throw error;
  }
}

/** One part, retried on transient failures: its bytes are in memory, so a retry is cheap. */
async function sendPart(
  target: UploadTarget,
  uploadId: string,
  partNumber: number,
  part: BodyPart,
  abortSignal: AbortSignal,
  attempts: number,
): Promise<string> {
  const { data } = part;
  const contentMd5 = md5OfPart(part).toString('base64');
  for (let attempt = 1; ; attempt++) {
    try {
      const output = await target.errors.run(`upload part ${partNumber} of "${target.path}"`, () =>
        target.client.send(
          new UploadPartCommand({
            Bucket: target.bucket,
            Key: target.key,
            UploadId: uploadId,
            PartNumber: partNumber,
            Body: data,
            ContentLength: data.length,
            ContentMD5: contentMd5,
          }),
          { abortSignal },
        ),
      );
      return output.ETag!;
    } catch (error) {
      if (attempt >= attempts || abortSignal.aborted || !isProviderError(error, 'transient')) throw error;
      await sleep(Math.min(5000, 200 * 2 ** attempt) + (error.retryAfterSeconds ?? 0) * 1000);
    }
  }
}

/** Abort a multipart upload so its parts are freed; a few tries, since leftovers cost storage. */
async function abortUpload(target: UploadTarget, uploadId: string): Promise<void> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      await target.client.send(new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, UploadId: uploadId }));
      return;
    } catch (error) {
      const mapped = target.errors.map(error, 'abort');
      if (isProviderError(mapped, 'not-found')) return;
      if (attempt === 3) return; // cleanupIncomplete() removes what is still left
      await sleep(200 * attempt);
    }
  }
}
