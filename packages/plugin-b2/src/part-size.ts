/** B2's limits for files and large-file parts (decimal units, as B2 states them). */
export const B2_LIMITS = Object.freeze({
  /** absoluteMinimumPartSize on B2 today; the authorize answer says the real value. */
  minPartSize: 5_000_000,
  maxPartSize: 5_000_000_000,
  maxParts: 10_000,
  /** Largest file uploaded in one request (b2_upload_file). */
  maxSingleUpload: 5_000_000_000,
  /** Largest large file: 10 TB. */
  maxObjectSize: 10_000_000_000_000,
});

/** For uploads of unknown size: the part size doubles after every this many parts. */
export const PARTS_PER_SIZE_STEP = 1000;

/** Part size for a large file of `size` bytes: the preferred size, grown so 10,000 parts hold it. */
export function partSizeFor(size: number, preferred: number): number {
  const needed = Math.ceil(size / B2_LIMITS.maxParts);
  return Math.min(B2_LIMITS.maxPartSize, Math.max(preferred, needed));
}

/** Size of part `partNumber` (1-based) of an upload of unknown size: doubling every 1,000 parts. */
export function growingPartSize(partNumber: number, preferred: number): number {
  const step = Math.floor((partNumber - 1) / PARTS_PER_SIZE_STEP);
  return Math.min(B2_LIMITS.maxPartSize, preferred * 2 ** step);
}
