import { ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { RemoteVersion } from '@nimbus/kernel/plugin';
import type { S3ErrorMapper } from './s3-errors.js';

/**
 * Every version of one key (delete markers included), newest first, via ListObjectVersions.
 * The listing is by prefix, so keys that merely start with this one are skipped.
 */
export async function listKeyVersions(
  context: { client: S3Client; bucket: string; errors: S3ErrorMapper },
  key: string,
  path: string,
): Promise<RemoteVersion[]> {
  const versions: RemoteVersion[] = [];
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  for (;;) {
    const page = await context.errors.run(`list the versions of "${path}"`, () =>
      context.client.send(
        new ListObjectVersionsCommand({
          Bucket: context.bucket,
          Prefix: key,
          ...(keyMarker !== undefined ? { KeyMarker: keyMarker } : {}),
          ...(versionIdMarker !== undefined ? { VersionIdMarker: versionIdMarker } : {}),
        }),
      ),
    );
    for (const v of page.Versions ?? []) {
      if (v.Key !== key || !v.VersionId) continue;
      versions.push({ path, versionId: v.VersionId, size: v.Size ?? 0, storedAt: v.LastModified?.getTime() ?? 0, isLatest: v.IsLatest === true, isDeleteMarker: false });
    }
    for (const m of page.DeleteMarkers ?? []) {
      if (m.Key !== key || !m.VersionId) continue;
      versions.push({ path, versionId: m.VersionId, size: 0, storedAt: m.LastModified?.getTime() ?? 0, isLatest: m.IsLatest === true, isDeleteMarker: true });
    }
    // Past our key: the rest of the listing is about other keys.
    const pastKey = (page.Versions ?? []).concat(page.DeleteMarkers ?? []).some((v) => v.Key !== undefined && v.Key > key);
    if (!page.IsTruncated || pastKey) break;
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
  }
  // Latest first, then by time; within one second (S3's precision) the service's order stands.
  return versions
    .map((v, i) => ({ v, i }))
    .sort((a, b) => Number(b.v.isLatest) - Number(a.v.isLatest) || b.v.storedAt - a.v.storedAt || a.i - b.i)
    .map(({ v }) => v);
}
