import type { ArchiveState } from '@nimbus/kernel/plugin';
import { canonicalTier } from './tiers.js';

/**
 * The archive state of a blob from what Azure reports: its access tier and, while a
 * rehydration runs, `archiveStatus` (`rehydrate-pending-to-hot`, `-cool`, `-cold`).
 * A rehydrated blob simply sits in an online tier again ('online'); Azure has no
 * temporary restored copy, so 'restored' never appears.
 */
export function archiveStateOf(accessTier: string | undefined, archiveStatus: string | undefined): ArchiveState | undefined {
  if (archiveStatus?.startsWith('rehydrate-pending-to-')) return { status: 'restoring', tier: 'Archive' };
  if (!accessTier) return undefined;
  const tier = canonicalTier(accessTier) ?? accessTier;
  return { status: tier === 'Archive' ? 'archived' : 'online', tier };
}

/** The tier a pending rehydration moves to (`rehydrate-pending-to-cool` → Cool). */
export function rehydrationTarget(archiveStatus: string | undefined): string | undefined {
  const match = /^rehydrate-pending-to-(\w+)$/.exec(archiveStatus ?? '');
  return match ? (canonicalTier(match[1]!) ?? match[1]) : undefined;
}
