import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';

/**
 * Uploads go to a temp file next to their target, renamed over it when complete. A run
 * killed mid-upload leaves these behind: listings hide them and cleanupIncomplete removes them.
 */
export const PARTIAL_PREFIX = '.nimbus-partial-';

export function isPartialName(name: string): boolean {
  return name.startsWith(PARTIAL_PREFIX);
}

/** A fresh temp path in the target's folder (same file system, so the rename is atomic). */
let counter = 0;
/** Unique per process without a random draw per file: pid, a per-process token and a counter. */
const processToken = `${process.pid.toString(36)}-${randomBytes(4).toString('hex')}`;

export function partialPathFor(target: string): string {
  return join(dirname(target), `${PARTIAL_PREFIX}${processToken}-${(counter++).toString(36)}`);
}
