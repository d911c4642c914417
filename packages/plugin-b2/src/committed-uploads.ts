import type { B2File, B2ListFileNamesResponse } from './b2-api-types.js';
import type { UploadContext } from './upload-context.js';

/**
 * After an upload whose answer may have been lost: is the newest version of the name already
 * the one we sent (same SHA-1, same file info)? Then it was stored and sending it again would
 * only add a duplicate version. One b2_list_file_names from the name, on the failure path
 * only. When the check itself fails the answer is "unknown" (undefined) and the caller
 * retries as before.
 */
export async function findCommittedUpload(context: UploadContext, fileName: string, sha1: string, info: Readonly<Record<string, string>>): Promise<B2File | undefined> {
  try {
    const { files } = await context.client.call<B2ListFileNamesResponse>('b2_list_file_names', {
      bucketId: context.bucketId,
      prefix: fileName,
      startFileName: fileName,
      maxFileCount: 1,
    });
    const newest = files[0];
    if (!newest || newest.fileName !== fileName || newest.action !== 'upload' || newest.contentSha1 !== sha1) return undefined;
    return sameInfo(newest.fileInfo, info) ? newest : undefined;
  } catch {
    return undefined;
  }
}

/**
 * After b2_finish_large_file failed: is the large file finished all the same? B2's
 * b2_finish_large_file page: "It may be that the call to finish a large file succeeds, but you
 * don't know it because the request timed out, or the connection was broken. In that case,
 * retrying will result in a 400 Bad Request response because the file is already finished. If
 * that happens, we recommend calling b2_get_file_info to see if the file is there. If the file
 * is there, you can count the upload as a success."
 */
export async function findFinishedLargeFile(context: UploadContext, fileId: string): Promise<B2File | undefined> {
  try {
    const file = await context.client.call<B2File>('b2_get_file_info', { fileId });
    return file.action === 'upload' ? file : undefined;
  } catch {
    return undefined;
  }
}

function sameInfo(stored: Readonly<Record<string, string>>, sent: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(sent);
  return keys.length === Object.keys(stored).length && keys.every((k) => stored[k] === sent[k]);
}
