import { MINIMAL_CAPABILITIES, type Capabilities } from '@nimbus/kernel/plugin';
import { MAX_BLOCK_SIZE, DEFAULT_BLOCK_SIZE } from './config.js';
import { MAX_BLOCKS } from './block-upload.js';
import { validateContainerName } from './container-name.js';
import { ACCESS_TIERS, ARCHIVE_TIERS, REHYDRATE_PRIORITIES } from './tiers.js';

/**
 * What Azure Blob Storage can do, as Nimbus uses it:
 * - metadata: yes (names mapped to C# identifiers, see metadata-names.ts);
 * - mtime 'none': Last-Modified is the upload time and cannot be set; the original mtime
 *   travels in metadata and the cloud database (1 s: Last-Modified's resolution);
 * - md5: Content-MD5, which Nimbus sets on every upload (the service computes it only
 *   for single-request uploads); blobs written by other tools may lack it;
 * - folders are virtual (`/` in blob names), versioning is not used (blob versioning is
 *   an account setting that Azurite barely supports; not implemented);
 * - server-side copy (Copy Blob); move is copy + delete;
 * - tiers Hot/Cool/Cold/Archive; Archive blobs are rehydrated by a tier change;
 * - a block blob holds up to 50,000 blocks of 4000 MiB (≈190.7 TiB).
 */
export const AZURE_CAPABILITIES: Capabilities = Object.freeze({
  ...MINIMAL_CAPABILITIES,
  metadata: true,
  mtime: Object.freeze({ support: 'none', precisionMs: 1000 }),
  hashes: Object.freeze(['md5']),
  folders: 'virtual',
  versioning: 'none',
  archive: Object.freeze({
    tiers: ACCESS_TIERS,
    archiveTiers: ARCHIVE_TIERS,
    restore: 'rehydrate',
    restorePriorities: REHYDRATE_PRIORITIES,
  }),
  serverSideCopy: true,
  serverSideMove: true,
  immutable: false,
  maxObjectSize: MAX_BLOCKS * MAX_BLOCK_SIZE,
  chunkedUpload: Object.freeze({ minPartSize: 1, maxPartSize: MAX_BLOCK_SIZE, maxParts: MAX_BLOCKS, threshold: DEFAULT_BLOCK_SIZE + 1 }),
  caseSensitive: true,
  validateBucketName: validateContainerName,
}) as Capabilities;

/** The capabilities of one connection: the block size decides when files go up in blocks. */
export function capabilitiesFor(blockSize: number): Capabilities {
  return Object.freeze({ ...AZURE_CAPABILITIES, chunkedUpload: Object.freeze({ ...AZURE_CAPABILITIES.chunkedUpload!, threshold: blockSize + 1 }) });
}
