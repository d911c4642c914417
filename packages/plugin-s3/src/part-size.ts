const MiB = 1024 * 1024;

/** S3's multipart limits. */
export const S3_PART_LIMITS = Object.freeze({
  minPartSize: 5 * MiB,
  maxPartSize: 5 * 1024 * MiB,
  maxParts: 10_000,
  /** Largest object: 5 TiB. */
  maxObjectSize: 5 * 1024 * 1024 * MiB,
});

/** Part size used unless the file is so large that 10,000 of them would not hold it. */
export const PREFERRED_PART_SIZE = 16 * MiB;

/** For uploads of unknown size: the part size doubles after every this many parts. */
export const PARTS_PER_SIZE_STEP = 1000;

/**
 * Part size for an upload of `size` bytes: the preferred size, or the smallest whole MiB
 * that fits the object in 10,000 parts (5 TiB → 525 MiB parts).
 */
export function partSizeFor(size: number, preferred: number = PREFERRED_PART_SIZE): number {
  const needed = Math.ceil(size / S3_PART_LIMITS.maxParts / MiB) * MiB;
  return Math.min(S3_PART_LIMITS.maxPartSize, Math.max(preferred, needed, S3_PART_LIMITS.minPartSize));
}

/**
 * Size of part `partNumber` (1-based) of an upload of unknown size: the preferred size for
 * the first 1,000 parts, then doubling every 1,000 parts, so 10,000 parts hold
 * 16 MiB × 1,000 × (1 + 2 + ... + 512) ≈ 16 TiB, more than S3's 5 TiB object limit.
 */
export function growingPartSize(partNumber: number, preferred: number = PREFERRED_PART_SIZE): number {
  const step = Math.floor((partNumber - 1) / PARTS_PER_SIZE_STEP);
  return Math.min(S3_PART_LIMITS.maxPartSize, preferred * 2 ** step);
}
