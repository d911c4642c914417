import type { RemoteVersion } from '@nimbus/kernel/plugin';
import type { B2ListFileVersionsResponse } from './b2-api-types.js';
import type { B2Client } from './b2-client.js';
import type { B2ErrorMapper } from './b2-errors.js';

/**
 * Every version of one file name, newest first, via b2_list_file_versions: uploads, and
 * hide markers (a delete) as deletion markers. Unfinished large files ("start") are not
 * versions. The listing is by prefix, so it stops once past the name.
 */
export async function listFileVersions(context: { client: B2Client; errors: B2ErrorMapper; bucketId: string }, fileName: string, path: string): Promise<RemoteVersion[]> {
  const versions: RemoteVersion[] = [];
  let startFileName: string | null = fileName;
  let startFileId: string | null = null;
  while (startFileName === fileName) {
    const page: B2ListFileVersionsResponse = await context.errors.run(`list the versions of "${path}"`, () =>
      context.client.call<B2ListFileVersionsResponse>('b2_list_file_versions', {
        bucketId: context.bucketId,
        prefix: fileName,
        startFileName: fileName,
        maxFileCount: 1000,
        ...(startFileId !== null ? { startFileId } : {}),
      }),
    );
    for (const file of page.files) {
      if (file.fileName !== fileName || !file.fileId || (file.action !== 'upload' && file.action !== 'hide')) continue;
      versions.push({
        path,
        versionId: file.fileId,
        size: file.action === 'upload' ? file.contentLength : 0,
        storedAt: file.uploadTimestamp,
        isLatest: versions.length === 0,
        isDeleteMarker: file.action === 'hide',
      });
    }
    startFileName = page.nextFileName;
    startFileId = page.nextFileId;
  }
  return versions;
}
