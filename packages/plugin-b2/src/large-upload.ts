import type { BodyPart } from '@nimbus/kernel/plugin';
import { createHash } from 'node:crypto';
import type { B2File, B2UploadPartResponse, B2UploadTarget } from './b2-api-types.js';
import { findFinishedLargeFile } from './committed-uploads.js';
import type { UploadContext } from './upload-context.js';
import { UploadUrlPool } from './upload-url-pool.js';
import { withUploadRetries } from './upload-retry.js';

export interface LargeUploadRequest {
  readonly fileName: string;
  readonly path: string;
  readonly info: Record<string, string>;
  /** The body cut into parts (each but the last at least the minimum part size), with their SHA-1 when known. */
  readonly parts: AsyncIterable<BodyPart>;
  /** Parts in flight at once. */
  readonly concurrency: number;
  /** Aborted on failure or by the caller: stops the other parts. */
  readonly controller: AbortController;
}

/**
 * A B2 large file: b2_start_large_file, parts through b2_get_upload_part_url +
 * b2_upload_part in parallel (bounded, each part on its own upload URL, retried on a fresh
 * URL when B2 says so), then b2_finish_large_file with every part's SHA-1 (a failed finish is
 * checked with b2_get_file_info: it may have finished and lost its answer). On any failure
 * the large file is cancelled (b2_cancel_large_file), so no unfinished file stays behind;
 * until finish, nothing is visible under the name. The whole-file SHA-1 cannot be known
 * at start (the body is streamed), so large_file_sha1 is not set.
 */
export async function uploadLarge(context: UploadContext, request: LargeUploadRequest): Promise<{ file: B2File; parts: number }> {
  const { client, errors } = context;
  const { controller } = request;
  const signal = controller.signal;
  const started = await errors.run(`start the large file "${request.path}"`, () =>
    withUploadRetries(signal, () =>
      client.call<B2File>('b2_start_large_file', { bucketId: context.bucketId, fileName: request.fileName, contentType: 'b2/x-auto', fileInfo: request.info }, signal),
    ),
  );
  const fileId = started.fileId!;
  const partUrls = new UploadUrlPool((s) => client.call<B2UploadTarget>('b2_get_upload_part_url', { fileId }, s));
  const sha1s: string[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let partNumber = 0;
  try {
    for await (const part of request.parts) {
      if (failure !== undefined) break;
      const number = ++partNumber;
      const sending = sendPart(context, partUrls, fileId, number, part, signal, request.path).then(
        (sha1) => void (sha1s[number - 1] = sha1),
        (error: unknown) => {
          failure ??= error;
          controller.abort();
        },
      );
      inFlight.add(sending);
      void sending.finally(() => inFlight.delete(sending));
      if (inFlight.size >= request.concurrency) await Promise.race(inFlight);
    }
  } catch (error) {
    failure ??= error;
    controller.abort();
  }
  await Promise.all(inFlight);
  if (failure === undefined && signal.aborted) failure = abortError(signal);
  if (failure !== undefined) {
    await cancelLargeFile(context, fileId);
    throw failure;
  }
  try {
    const file = await errors.run(`finish the large file "${request.path}"`, () =>
      withUploadRetries(signal, async () => {
        try {
          return await client.call<B2File>('b2_finish_large_file', { fileId, partSha1Array: sha1s }, signal);
        } catch (error) {
          // A finish whose answer was lost looks like a failure (or, retried, like a 400): ask B2
          // whether the file is there before retrying or cancelling.
          if (signal.aborted) throw error;
          const finished = await findFinishedLargeFile(context, fileId);
          if (finished) return finished;
          throw error;
        }
      }),
    );
    return { file, parts: partNumber };
  } catch (error) {
    await cancelLargeFile(context, fileId);
    throw error;
  }
}

async function sendPart(context: UploadContext, urls: UploadUrlPool, fileId: string, partNumber: number, part: BodyPart, signal: AbortSignal, path: string): Promise<string> {
  const { data } = part;
  // The splitter's SHA-1, computed while the bytes arrived, spares a second pass over the part.
  const sha1 = (part.digest ?? createHash('sha1').update(data).digest()).toString('hex');
  await context.errors.run(`upload part ${partNumber} of "${path}"`, () =>
    withUploadRetries(signal, async () => {
      const target = await urls.take(signal);
      await context.client.upload<B2UploadPartResponse>('b2_upload_part', target, { 'X-Bz-Part-Number': String(partNumber), 'X-Bz-Content-Sha1': sha1 }, data, signal);
      urls.give(target);
    }),
  );
  return sha1;
}

/** Cancel so the parts are freed; a few tries, since leftovers cost storage (cleanupIncomplete removes the rest). */
export async function cancelLargeFile(context: UploadContext, fileId: string): Promise<void> {
  try {
    await withUploadRetries(undefined, () => context.client.call('b2_cancel_large_file', { fileId }), 3);
  } catch {
    // Already gone, or B2 unreachable: cleanupIncomplete() lists and cancels it later.
  }
}

export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return Object.assign(new Error('the upload was aborted', { cause: reason }), { name: 'AbortError' });
}
