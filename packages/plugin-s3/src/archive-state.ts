import type { ArchiveState } from '@nimbus/kernel';
import { parseRestoreHeader } from './restore-header.js';
import { isArchiveStorageClass } from './storage-classes.js';

/**
 * The archive state of an object from its storage class and restore status. GLACIER and
 * DEEP_ARCHIVE objects are unreadable ('archived') until a restore finishes ('restored'
 * while the temporary copy lasts); every other class is online. `restore` is the
 * x-amz-restore header (HEAD) or its ListObjectsV2 counterpart, when known.
 */
export function archiveStateOf(
  storageClass: string | undefined,
  restore: { readonly header?: string; readonly inProgress?: boolean; readonly expiresAt?: number } = {},
  now: number = Date.now(),
): ArchiveState {
  const tier = storageClass || 'STANDARD';
  if (!isArchiveStorageClass(tier)) return { status: 'online', tier };
  const parsed = restore.header !== undefined ? parseRestoreHeader(restore.header) : undefined;
  const inProgress = parsed?.ongoing ?? restore.inProgress;
  if (inProgress === true) return { status: 'restoring', tier };
  const expiresAt = (parsed && !parsed.ongoing ? parsed.expiresAt : undefined) ?? restore.expiresAt;
  if (inProgress === false) {
    // A copy whose expiry has passed is gone even if a header still names it.
    if (expiresAt !== undefined && expiresAt <= now) return { status: 'archived', tier };
    return expiresAt !== undefined ? { status: 'restored', tier, expiresAt } : { status: 'restored', tier };
  }
  return { status: 'archived', tier };
}
