import type { ArchiveState } from '@nimbus/kernel/plugin';
import { parseRestoreHeader } from './restore-header.js';
import { isArchiveStorageClass } from './storage-classes.js';

/** What S3 says about an object's restore: the x-amz-restore header (HEAD) or its ListObjectsV2 counterpart. */
export interface RestoreFacts {
  readonly header?: string;
  readonly inProgress?: boolean;
  readonly expiresAt?: number;
  /**
   * HEAD's x-amz-archive-status: an INTELLIGENT_TIERING object in its Archive Access or
   * Deep Archive Access tier ("ARCHIVE_ACCESS" | "DEEP_ARCHIVE_ACCESS"). Listings do not say.
   */
  readonly archiveStatus?: string;
}

/**
 * The archive state of an object from its storage class and restore status. GLACIER and
 * DEEP_ARCHIVE objects are unreadable ('archived') until a restore finishes ('restored'
 * while the temporary copy lasts). An INTELLIGENT_TIERING object is archived while HEAD
 * names an archive tier, and online again once restored (it moves back to Frequent Access,
 * with no temporary copy). Every other class is online.
 */
export function archiveStateOf(storageClass: string | undefined, restore: RestoreFacts = {}, now: number = Date.now()): ArchiveState {
  const tier = storageClass || 'STANDARD';
  const parsed = restore.header !== undefined ? parseRestoreHeader(restore.header) : undefined;
  const inProgress = parsed?.ongoing ?? restore.inProgress;
  if (tier === 'INTELLIGENT_TIERING') {
    if (!restore.archiveStatus) return { status: 'online', tier };
    return { status: inProgress === true ? 'restoring' : 'archived', tier };
  }
  if (!isArchiveStorageClass(tier)) return { status: 'online', tier };
  if (inProgress === true) return { status: 'restoring', tier };
  const expiresAt = (parsed && !parsed.ongoing ? parsed.expiresAt : undefined) ?? restore.expiresAt;
  if (inProgress === false) {
    // A copy whose expiry has passed is gone even if a header still names it.
    if (expiresAt !== undefined && expiresAt <= now) return { status: 'archived', tier };
    return expiresAt !== undefined ? { status: 'restored', tier, expiresAt } : { status: 'restored', tier };
  }
  return { status: 'archived', tier };
}
