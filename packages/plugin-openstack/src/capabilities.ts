import { MINIMAL_CAPABILITIES, type Capabilities } from '@nimbus/kernel/plugin';
import { validateContainerName } from './container-name.js';

const GiB = 1024 * 1024 * 1024;

/** Swift's defaults (GET /info): 5 GiB per object or segment, 1000 segments per manifest. */
export const SWIFT_LIMITS = { maxFileSize: 5 * GiB + 2, maxManifestSegments: 1000, minSegmentSize: 1 } as const;

/**
 * What Swift offers Nimbus, and why:
 * - metadata: X-Object-Meta-* headers (the kernel keeps the original mtime, size and SHA-256 there).
 * - mtime 'none': Last-Modified is the upload time and cannot be set; the real mtime lives in metadata.
 * - hashes md5: a plain object's ETag is the MD5 of its content. Large (segmented) objects
 *   report no md5, because an SLO's ETag is the MD5 of its segments' ETags.
 * - folders virtual: names with `/` are pseudo-folders.
 * - versioning none: object versioning is a per-container server feature this plugin does not drive.
 * - copy: server-side (X-Copy-From); move: server-side copy then delete (a large file's
 *   manifest moves, its segments stay where they are).
 */
export function swiftCapabilities(threshold: number, segmentSize: number, limits: { maxFileSize: number; maxManifestSegments: number; minSegmentSize: number } = SWIFT_LIMITS): Capabilities {
  return {
    ...MINIMAL_CAPABILITIES,
    metadata: true,
    mtime: { support: 'none', precisionMs: 1000 },
    hashes: ['md5'],
    folders: 'virtual',
    versioning: 'none',
    serverSideCopy: true,
    serverSideMove: true,
    immutable: false,
    maxObjectSize: Math.min(limits.maxManifestSegments * segmentSize, limits.maxManifestSegments * limits.maxFileSize),
    chunkedUpload: {
      minPartSize: Math.max(1, limits.minSegmentSize),
      maxPartSize: limits.maxFileSize,
      maxParts: limits.maxManifestSegments,
      threshold,
    },
    caseSensitive: true,
    validateBucketName: validateContainerName,
  };
}

/** As declared in the manifest, for the default settings. */
export const OPENSTACK_CAPABILITIES = swiftCapabilities(10 * 1000 * 1000, 10 * 1000 * 1000);
