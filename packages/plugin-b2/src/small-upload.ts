import { createHash } from 'node:crypto';
import type { B2File } from './b2-api-types.js';
import type { UploadContext } from './upload-context.js';
import { infoHeaders } from './file-info.js';
import { encodeFileNameForUrl } from './file-names.js';
import { withUploadRetries } from './upload-retry.js';

/**
 * b2_upload_file of a buffered body with its SHA-1 in X-Bz-Content-Sha1 (B2 refuses a body
 * that does not match). Buffered so that a failed attempt can be sent again on a new upload
 * URL, as B2 asks.
 */
export function uploadSmall(context: UploadContext, request: { fileName: string; path: string; data: Buffer; sha1?: Buffer; info: Record<string, string>; signal?: AbortSignal }): Promise<B2File> {
  const sha1 = (request.sha1 ?? createHash('sha1').update(request.data).digest()).toString('hex');
  const headers = {
    'X-Bz-File-Name': encodeFileNameForUrl(request.fileName),
    'Content-Type': 'b2/x-auto',
    'X-Bz-Content-Sha1': sha1,
    ...infoHeaders(request.info),
  };
  return context.errors.run(`upload "${request.path}"`, () =>
    withUploadRetries(request.signal, async () => {
      const target = await context.fileUrls.take(request.signal);
      const file = await context.client.upload<B2File>('b2_upload_file', target, headers, request.data, request.signal);
      context.fileUrls.give(target);
      return file;
    }),
  );
}
