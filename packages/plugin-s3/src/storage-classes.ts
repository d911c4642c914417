/** S3 storage classes an upload may ask for, online ones first. */
export const STORAGE_CLASSES = [
  'STANDARD',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'GLACIER_IR',
  'GLACIER',
  'DEEP_ARCHIVE',
] as const;

export type StorageClass = (typeof STORAGE_CLASSES)[number];

/** Classes whose objects cannot be read until a temporary copy is restored (GLACIER_IR is online). */
export const ARCHIVE_STORAGE_CLASSES: readonly string[] = ['GLACIER', 'DEEP_ARCHIVE'];

/** Glacier retrieval tiers, fastest (dearest) first. */
export const RESTORE_TIERS = ['Expedited', 'Standard', 'Bulk'] as const;

export type RestoreTier = (typeof RESTORE_TIERS)[number];

export function isArchiveStorageClass(storageClass: string | undefined): boolean {
  return storageClass !== undefined && ARCHIVE_STORAGE_CLASSES.includes(storageClass);
}
