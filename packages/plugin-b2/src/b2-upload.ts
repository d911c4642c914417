import { uploadInParts, type RequestPacer, type ResumableWrite } from '@nimbus/kernel/plugin';
import type { Readable } from 'node:stream';
import type { B2File } from './b2-api-types.js';
import { LargeFileProtocol } from './large-upload.js';
import { growingPartSize, partSizeFor } from './part-size.js';
import type { UploadContext } from './upload-context.js';

export interface UploadSettings {
  /** Bodies at or above this size go up as large files. */
  readonly threshold: number;
  /** Preferred part size of large files. */
  readonly partSize: number;
  readonly concurrency: number;
}

export interface UploadRequest {
  readonly fileName: string;
  readonly path: string;
  readonly body: Readable;
  readonly size?: number;
  readonly info: Record<string, string>;
  readonly signal?: AbortSignal;
  readonly onProgress?: (bytes: number) => void;
  /** Keep the large file where a later write of the same source resumes it. */
  readonly resume?: ResumableWrite;
  /** The connection's pacer, for each request of the upload (WriteOptions.pacer). */
  readonly pacer?: RequestPacer;
}

/**
 * Upload one file so that it appears complete or not at all: one b2_upload_file below the
 * threshold, else a large file in parts driven by the kernel (parallel parts, cancel on
 * failure, resume from the cloud database). Part sizes come from the size (10,000 parts
 * hold 10 TB), or grow as the body goes on when the size is unknown; a body of unknown size
 * that ends below the threshold is one b2_upload_file. A body longer or shorter than
 * declared is a `conflict`.
 */
export async function uploadFile(context: UploadContext, request: UploadRequest, settings: UploadSettings): Promise<{ file: B2File; size: number; parts: number }> {
  const known = request.size;
  const largeKnown = known !== undefined && known >= settings.threshold;
  const partSize = largeKnown ? partSizeFor(known, settings.partSize) : settings.partSize;
  const sizeOf = (n: number) => (largeKnown ? partSize : n === 1 ? settings.threshold : growingPartSize(n, partSize));
  const protocol = new LargeFileProtocol(context, { fileName: request.fileName, path: request.path, info: request.info });
  const sent = await uploadInParts(protocol, request.body, {
    path: request.path,
    ...(known !== undefined ? { size: known } : {}),
    sizeOf,
    partConcurrency: settings.concurrency,
    // Each part retries itself on a fresh upload URL, as B2 asks (withUploadRetries).
    partAttempts: 1,
    ...(request.signal ? { signal: request.signal } : {}),
    ...(request.onProgress ? { onProgress: request.onProgress } : {}),
    ...(request.resume ? { resume: request.resume } : {}),
    ...(request.pacer ? { pacer: request.pacer } : {}),
  });
  return { file: sent.result, size: sent.size, parts: sent.parts };
}
