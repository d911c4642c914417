import { MINIMAL_CAPABILITIES, NO_ARCHIVE, type Capabilities } from '@nimbus/kernel/plugin';
import { validateB2BucketName } from './bucket-names.js';
import { B2_LIMITS } from './part-size.js';

/** B2's recommendedPartSize today: the default threshold until authorization says otherwise. */
export const DEFAULT_PART_SIZE = 100_000_000;

/**
 * Backblaze B2 as declared (connect refines the threshold). Why each value:
 * - immutable: a file cannot change once uploaded, metadata included (no setMetadata/setMtime).
 * - mtime 'on-upload', 1 ms: given at upload as src_last_modified_millis.
 * - metadata: up to 10 file infos per file (X-Bz-Info-*), set at upload only.
 * - hashes sha1: contentSha1 of files uploaded in one request; large files have none (B2 stores
 *   per-part SHA-1s only) unless their uploader set large_file_sha1.
 * - folders virtual: names are flat; B2 lists "folders" at a delimiter.
 * - versioning forced: every upload is a new version and a delete is a hide marker.
 * - no server-side copy or move in this plugin: the kernel's fallbacks apply.
 */
export const B2_CAPABILITIES: Capabilities = Object.freeze({
  ...MINIMAL_CAPABILITIES,
  metadata: true,
  mtime: Object.freeze({ support: 'on-upload', precisionMs: 1 }),
  hashes: Object.freeze(['sha1']),
  folders: 'virtual',
  versioning: 'forced',
  archive: NO_ARCHIVE,
  serverSideCopy: false,
  serverSideMove: false,
  immutable: true,
  maxObjectSize: B2_LIMITS.maxObjectSize,
  chunkedUpload: Object.freeze({
    minPartSize: B2_LIMITS.minPartSize,
    maxPartSize: B2_LIMITS.maxPartSize,
    maxParts: B2_LIMITS.maxParts,
    threshold: DEFAULT_PART_SIZE,
  }),
  caseSensitive: true,
  validateBucketName: validateB2BucketName,
}) as Capabilities;

/** Capabilities of one connection: the threshold and minimum part size in force. */
export function refineCapabilities(facts: { threshold: number; minPartSize: number }): Capabilities {
  return Object.freeze({
    ...B2_CAPABILITIES,
    chunkedUpload: Object.freeze({ ...B2_CAPABILITIES.chunkedUpload!, minPartSize: facts.minPartSize, threshold: facts.threshold }),
  }) as Capabilities;
}
