import type { CompareMethod } from '../config/profile.js';
import type { FileFacts } from '../database/cloud-database.js';
import { UNKNOWN_MTIME } from './destination-facts.js';
import type { LocalFile } from './local-scanner.js';

/**
 * - `unchanged`: nothing to do.
 * - `changed`: send the file again.
 * - `check-content`: sizes match but mtimes differ (or hashes were asked for): hash the
 *   source; equal content only needs its recorded mtime corrected, not an upload.
 */
export type Verdict = 'unchanged' | 'changed' | 'check-content';

/**
 * Compare a source file with what the cloud database says the destination holds.
 * Originals are compared (never stored bytes), mtimes within the provider's precision.
 */
export function compareWithRecord(local: LocalFile, record: FileFacts, method: CompareMethod, precisionMs: number): Verdict {
  if (local.size !== record.size) return 'changed';
  const sameMtime = record.mtime !== UNKNOWN_MTIME && Math.abs(local.mtime - record.mtime) < Math.max(1, precisionMs);
  if (method === 'hash') return record.sha256 ? 'check-content' : 'changed';
  if (sameMtime) return 'unchanged';
  return record.sha256 ? 'check-content' : 'changed';
}

/** Whether an mtime difference is within precision (after a content match). */
export function sameMtime(local: LocalFile, record: FileFacts, precisionMs: number): boolean {
  return record.mtime !== UNKNOWN_MTIME && Math.abs(local.mtime - record.mtime) < Math.max(1, precisionMs);
}
