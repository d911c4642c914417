import { splitBody } from '@nimbus/kernel/plugin';
import type { Readable } from 'node:stream';
import type { B2File } from './b2-api-types.js';
import { abortError, uploadLarge } from './large-upload.js';
import { growingPartSize, partSizeFor } from './part-size.js';
import { uploadSmall } from './small-upload.js';
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
}

/**
 * Upload one file so that it appears complete or not at all: one b2_upload_file below the
 * threshold, else a large file in parts. Part sizes come from the size (10,000 parts hold
 * 10 TB), or grow as the body goes on when the size is unknown; a body of unknown size
 * that ends below the threshold is one b2_upload_file. A body longer or shorter than
 * declared is a `conflict`.
 */
export async function uploadFile(context: UploadContext, request: UploadRequest, settings: UploadSettings): Promise<{ file: B2File; size: number; parts: number }> {
  const { signal } = request;
  if (signal?.aborted) throw abortError(signal);
  const controller = new AbortController();
  const onAbort = () => {
    controller.abort(signal!.reason);
    request.body.destroy(abortError(signal!));
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const known = request.size;
    const largeKnown = known !== undefined && known >= settings.threshold;
    const partSize = largeKnown ? partSizeFor(known, settings.partSize) : settings.partSize;
    const sizeOf = (n: number) => (largeKnown ? partSize : n === 1 ? settings.threshold : growingPartSize(n, partSize));
    const split = await splitBody(request.body, { path: request.path, ...(known !== undefined ? { size: known } : {}), sizeOf, digest: 'sha1', ...(request.onProgress ? { onProgress: request.onProgress } : {}) });
    if (split.kind === 'single') {
      if (split.data.length === 0) request.onProgress?.(0);
      const file = await uploadSmall(context, { fileName: request.fileName, path: request.path, data: split.data, ...(split.digest ? { sha1: split.digest } : {}), info: request.info, signal: controller.signal });
      return { file, size: split.data.length, parts: 0 };
    }
    const { file, parts: count } = await uploadLarge(context, {
      fileName: request.fileName,
      path: request.path,
      info: request.info,
      parts: split.parts,
      concurrency: settings.concurrency,
      controller,
    });
    return { file, size: split.consumed(), parts: count };
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

