import { type BodyPart, type ChunkedUploadProtocol, type PartReceipt } from '@nimbus/kernel/plugin';
import { createHash } from 'node:crypto';
import type { B2File, B2ListPartsResponse, B2UploadPartResponse, B2UploadTarget } from './b2-api-types.js';
import { findFinishedLargeFile } from './committed-uploads.js';
import { uploadSmall } from './small-upload.js';
import type { UploadContext } from './upload-context.js';
import { UploadUrlPool } from './upload-url-pool.js';
import { withUploadRetries } from './upload-retry.js';

export interface LargeUploadRequest {
  readonly fileName: string;
  readonly path: string;
  readonly info: Record<string, string>;
}

/**
 * B2 large files as the kernel's chunked-upload protocol: the state is the large file's id
 * (b2_start_large_file), each part goes through b2_get_upload_part_url + b2_upload_part on
 * its own upload URL (retried on a fresh URL when B2 says so) with its SHA-1, and the
 * commit is b2_finish_large_file with every part's SHA-1 (a failed finish is checked with
 * b2_get_file_info: it may have finished and lost its answer). Abort cancels the large
 * file (b2_cancel_large_file); until finish, nothing is visible under the name. A resumed
 * upload asks b2_list_parts, which gives each part's size and SHA-1. The whole-file SHA-1
 * cannot be known at start (the body is streamed), so large_file_sha1 is not set.
 */
export class LargeFileProtocol implements ChunkedUploadProtocol<B2File> {
  readonly digest = 'sha1';
  /** One pool of part upload URLs per large file. */
  private readonly partUrls = new Map<string, UploadUrlPool>();

  constructor(
    private readonly context: UploadContext,
    private readonly request: LargeUploadRequest,
  ) {}

  putWhole(data: Buffer, digest: Buffer | undefined, signal: AbortSignal): Promise<B2File> {
    const { fileName, path, info } = this.request;
    return uploadSmall(this.context, { fileName, path, data, ...(digest ? { sha1: digest } : {}), info, signal });
  }

  async begin(signal: AbortSignal): Promise<string> {
    const { client, errors, bucketId } = this.context;
    const { fileName, path, info } = this.request;
    const started = await errors.run(`start the large file "${path}"`, () =>
      withUploadRetries(signal, () => client.call<B2File>('b2_start_large_file', { bucketId, fileName, contentType: 'b2/x-auto', fileInfo: info }, signal)),
    );
    return started.fileId!;
  }

  async uploadPart(fileId: string, partNumber: number, part: BodyPart, signal: AbortSignal): Promise<PartReceipt> {
    const { client, errors } = this.context;
    const { data } = part;
    let urls = this.partUrls.get(fileId);
    if (!urls) this.partUrls.set(fileId, (urls = new UploadUrlPool((s) => client.call<B2UploadTarget>('b2_get_upload_part_url', { fileId }, s))));
    // The splitter's SHA-1, computed while the bytes arrived, spares a second pass over the part.
    const sha1 = (part.digest ?? createHash('sha1').update(data).digest()).toString('hex');
    await errors.run(`upload part ${partNumber} of "${this.request.path}"`, () =>
      withUploadRetries(signal, async () => {
        const target = await urls.take(signal);
        await client.upload<B2UploadPartResponse>('b2_upload_part', target, { 'X-Bz-Part-Number': String(partNumber), 'X-Bz-Content-Sha1': sha1 }, data, signal);
        urls.give(target);
      }),
    );
    return { number: partNumber, size: data.length, digest: sha1, token: sha1 };
  }

  commit(fileId: string, parts: readonly PartReceipt[], signal: AbortSignal): Promise<B2File> {
    const { client, errors } = this.context;
    return errors.run(`finish the large file "${this.request.path}"`, () =>
      withUploadRetries(signal, async () => {
        try {
          return await client.call<B2File>('b2_finish_large_file', { fileId, partSha1Array: parts.map((p) => p.token) }, signal);
        } catch (error) {
          // A finish whose answer was lost looks like a failure (or, retried, like a 400): ask B2
          // whether the file is there before retrying or cancelling.
          if (signal.aborted) throw error;
          const finished = await findFinishedLargeFile(this.context, fileId);
          if (finished) return finished;
          throw error;
        }
      }),
    );
  }

  /** Cancel so the parts are freed; a few tries, since leftovers cost storage (cleanupIncomplete removes the rest). */
  async abort(fileId: string): Promise<void> {
    this.partUrls.delete(fileId);
    try {
      await withUploadRetries(undefined, () => this.context.client.call('b2_cancel_large_file', { fileId }), 3);
    } catch {
      // Already gone, or B2 unreachable: cleanupIncomplete() lists and cancels it later.
    }
  }

  /** The parts B2 holds (b2_list_parts, 1,000 a call), or undefined when the large file is gone (finished or cancelled). */
  async resume(fileId: string, signal: AbortSignal): Promise<readonly PartReceipt[] | undefined> {
    const { client, errors } = this.context;
    const parts: PartReceipt[] = [];
    let start: number | null = 1;
    while (start !== null) {
      const page: B2ListPartsResponse | undefined = await errors
        .run(`list the parts of "${this.request.path}"`, () => client.call<B2ListPartsResponse>('b2_list_parts', { fileId, startPartNumber: start, maxPartCount: 1000 }, signal))
        .catch(() => undefined);
      if (!page) return undefined;
      for (const p of page.parts) parts.push({ number: p.partNumber, size: p.contentLength, digest: p.contentSha1, token: p.contentSha1 });
      start = page.nextPartNumber;
    }
    return parts;
  }
}
