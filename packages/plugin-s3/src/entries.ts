import type { HeadObjectCommandOutput, _Object } from '@aws-sdk/client-s3';
import type { ArchiveState, RemoteEntry } from '@nimbus/kernel/plugin';
import { archiveStateOf } from './archive-state.js';

/**
 * The MD5 an ETag stands for, when it stands for one: a single-request upload's ETag is
 * the hex MD5 of the content; a multipart ETag ("<md5 of part md5s>-<parts>") is not.
 */
export function md5FromEtag(etag: string | undefined): string | undefined {
  const bare = etag?.replace(/^W\//, '').replace(/"/g, '').toLowerCase();
  return bare !== undefined && /^[0-9a-f]{32}$/.test(bare) ? bare : undefined;
}

/** Archive state worth reporting: only for archive classes (every other object is simply readable). */
function archiveOnlyWhenArchived(state: ArchiveState): ArchiveState | undefined {
  return state.status === 'online' ? undefined : state;
}

export function entryFromListed(path: string, item: _Object): RemoteEntry {
  const md5 = md5FromEtag(item.ETag);
  const archive = archiveOnlyWhenArchived(
    archiveStateOf(item.StorageClass, {
      ...(item.RestoreStatus?.IsRestoreInProgress !== undefined ? { inProgress: item.RestoreStatus.IsRestoreInProgress } : {}),
      ...(item.RestoreStatus?.RestoreExpiryDate ? { expiresAt: item.RestoreStatus.RestoreExpiryDate.getTime() } : {}),
    }),
  );
  return {
    path,
    kind: 'file',
    size: item.Size ?? 0,
    ...(item.LastModified ? { mtime: item.LastModified.getTime() } : {}),
    ...(md5 ? { hashes: { md5 } } : {}),
    ...(archive ? { archive } : {}),
  };
}

export function entryFromHead(path: string, head: HeadObjectCommandOutput): RemoteEntry {
  const md5 = md5FromEtag(head.ETag);
  const archive = archiveOnlyWhenArchived(
    archiveStateOf(head.StorageClass, {
      ...(head.Restore !== undefined ? { header: head.Restore } : {}),
      ...(head.ArchiveStatus !== undefined ? { archiveStatus: head.ArchiveStatus } : {}),
    }),
  );
  return {
    path,
    kind: 'file',
    size: head.ContentLength ?? 0,
    ...(head.LastModified ? { mtime: head.LastModified.getTime() } : {}),
    ...(md5 ? { hashes: { md5 } } : {}),
    metadata: { ...(head.Metadata ?? {}) },
    ...(head.VersionId && head.VersionId !== 'null' ? { versionId: head.VersionId } : {}),
    ...(archive ? { archive } : {}),
  };
}
