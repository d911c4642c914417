import { MINIMAL_CAPABILITIES, type ArchiveCapabilities, type Capabilities } from '@nimbus/kernel/plugin';
import { validateStrictBucketName, validateUsStandardBucketName } from './bucket-names.js';
import { DEFAULT_MULTIPART_THRESHOLD } from './config.js';
import { S3_PART_LIMITS } from './part-size.js';
import { ARCHIVE_STORAGE_CLASSES, RESTORE_TIERS, STORAGE_CLASSES } from './storage-classes.js';

const AWS_ARCHIVE: ArchiveCapabilities = Object.freeze({
  tiers: STORAGE_CLASSES,
  archiveTiers: ARCHIVE_STORAGE_CLASSES,
  restore: 'temporary-copy',
  restorePriorities: RESTORE_TIERS,
});

/** An S3-compatible service stores everything in one (standard) class and archives nothing. */
const COMPATIBLE_ARCHIVE: ArchiveCapabilities = Object.freeze({
  tiers: ['STANDARD'],
  archiveTiers: [],
  restore: 'none',
  restorePriorities: [],
});

/**
 * Amazon S3 as declared (connect refines it). Why each value:
 * - metadata: user metadata (x-amz-meta-*) is where the kernel keeps the original mtime and size.
 * - mtime 'none': Last-Modified is the upload time and cannot be set; 1 s is its precision.
 * - hashes md5: the ETag of a single-request upload is the MD5 of the content; multipart
 *   ETags ("…-N") are not, and such entries carry no hash.
 * - folders virtual: keys are flat; a folder is a key prefix and exists only while a file lies below it.
 * - versioning optional: a bucket may have versioning on; connect checks whether this one does.
 * - copy server-side (CopyObject, multipart copy above 5 GiB); move is copy + delete.
 * - Glacier/Deep Archive objects come back as temporary copies (RestoreObject).
 */
export const S3_CAPABILITIES: Capabilities = Object.freeze({
  ...MINIMAL_CAPABILITIES,
  metadata: true,
  mtime: Object.freeze({ support: 'none', precisionMs: 1000 }),
  hashes: Object.freeze(['md5']),
  folders: 'virtual',
  versioning: 'optional',
  archive: AWS_ARCHIVE,
  serverSideCopy: true,
  serverSideMove: true,
  immutable: false,
  maxObjectSize: S3_PART_LIMITS.maxObjectSize,
  chunkedUpload: Object.freeze({
    minPartSize: S3_PART_LIMITS.minPartSize,
    maxPartSize: S3_PART_LIMITS.maxPartSize,
    maxParts: S3_PART_LIMITS.maxParts,
    threshold: DEFAULT_MULTIPART_THRESHOLD,
  }),
  caseSensitive: true,
  validateBucketName: validateStrictBucketName,
}) as Capabilities;

export interface ConnectionFacts {
  readonly s3Compatible: boolean;
  /** Versioning is (or was) on for this bucket, so versions can be listed. */
  readonly versioned: boolean;
  readonly multipartThreshold: number;
  /** Buckets here may follow the legacy US Standard naming rules. */
  readonly legacyBucketNames: boolean;
}

/** Capabilities of one connection: AWS-only features off for compatible services, versions only where kept. */
export function refineCapabilities(facts: ConnectionFacts): Capabilities {
  return Object.freeze({
    ...S3_CAPABILITIES,
    archive: facts.s3Compatible ? COMPATIBLE_ARCHIVE : AWS_ARCHIVE,
    versioning: facts.versioned ? 'optional' : 'none',
    chunkedUpload: Object.freeze({ ...S3_CAPABILITIES.chunkedUpload!, threshold: facts.multipartThreshold }),
    validateBucketName: facts.legacyBucketNames ? validateUsStandardBucketName : validateStrictBucketName,
  }) as Capabilities;
}
