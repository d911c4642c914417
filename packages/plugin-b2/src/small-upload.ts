import { createHash } from 'node:crypto';
import type { B2File } from './b2-api-types.js';
import { answerMayBeLost } from './b2-errors.js';
import { findCommittedUpload } from './committed-uploads.js';
import type { UploadContext } from './upload-context.js';
import { infoHeaders } from './file-info.js';
import { encodeFileNameForUrl } from './file-names.js';
import { withUploadRetries } from './upload-retry.js';

/**
 * b2_upload_file of a buffered body with its SHA-1 in X-Bz-Content-Sha1 (B2 refuses a body
 * that does not match). Buffered so that a failed attempt can be sent again on a new upload
 * URL, as B2 asks. When the answer may have been lost (a reset, 408, 5xx) the newest version
 * of the name is checked first: if it is this upload, it counts as done, rather than leaving
 * a second, duplicate version.
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
      try {
        const file = await context.client.upload<B2File>('b2_upload_file', target, headers, request.data, request.signal);
        // Back in the pool only now: an upload URL serves one upload at a time (B2 refuses a second, auth_token_limit).
        context.fileUrls.give(target);
        return file;
      } catch (error) {
        // The URL is not given back (B2: after a 5xx, 408 or broken connection, get a new one).
        // If the upload may have been stored, look before sending it again.
        if (!answerMayBeLost(error) || request.signal?.aborted) throw error;
        const committed = await findCommittedUpload(context, request.fileName, sha1, request.info);
        if (committed) return committed;
        throw error;
      }
    }),
  );
}
