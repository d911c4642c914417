/** Access tiers an upload may ask for, online ones first. */
export const ACCESS_TIERS = ['Hot', 'Cool', 'Cold', 'Archive'] as const;
export type AccessTier = (typeof ACCESS_TIERS)[number];

/** Tiers whose blobs cannot be read until rehydrated. */
export const ARCHIVE_TIERS = ['Archive'] as const;
/** Tiers a rehydration can target. */
export const ONLINE_TIERS = ['Hot', 'Cool', 'Cold'] as const;

export const REHYDRATE_PRIORITIES = ['Standard', 'High'] as const;
export type RehydratePriority = (typeof REHYDRATE_PRIORITIES)[number];

/** The tier as Azure spells it, whatever case it was given in; undefined when unknown. */
export function canonicalTier(tier: string, allowed: readonly string[] = ACCESS_TIERS): string | undefined {
  return allowed.find((t) => t.toLowerCase() === tier.toLowerCase());
}
