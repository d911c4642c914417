/** Hash algorithms a provider can report without downloading the object. */
export type HashAlgorithm = 'md5' | 'sha1' | 'sha256' | 'crc32c' | 'quickxor' | 'dropbox';

/**
 * How the provider treats modification times.
 * - `any-time`: mtime can be set on upload and changed later (setMtime).
 * - `on-upload`: mtime can be given when the object is written, never changed afterwards.
 * - `none`: the provider keeps its own upload time; the kernel keeps the real mtime in the cloud database.
 */
export type MtimeSupport = 'any-time' | 'on-upload' | 'none';

/**
 * - `real`: folders exist on their own, empty ones included.
 * - `virtual`: folders are only prefixes of object names; empty folders cannot exist.
 */
export type FolderSemantics = 'real' | 'virtual';

/**
 * - `none`: an overwrite or delete destroys the previous content.
 * - `optional`: the account can turn versioning on (the provider lists versions when it is).
 * - `forced`: the service keeps every version whether asked or not (e.g. B2).
 */
export type VersioningSupport = 'none' | 'optional' | 'forced';

/**
 * How archived objects come back.
 * - `none`: nothing is ever archived.
 * - `temporary-copy`: a restore request makes a temporary readable copy for some days (S3 Glacier).
 * - `rehydrate`: a restore request moves the object back to an online tier (Azure Archive).
 */
export type ArchiveRestoreModel = 'none' | 'temporary-copy' | 'rehydrate';

export interface ArchiveCapabilities {
  /** Storage tiers/classes an upload may ask for, online ones first. */
  readonly tiers: readonly string[];
  /** Tiers whose objects cannot be read until restored. */
  readonly archiveTiers: readonly string[];
  readonly restore: ArchiveRestoreModel;
  /** Retrieval priorities the restore request accepts (e.g. Expedited, Standard, Bulk). */
  readonly restorePriorities: readonly string[];
}

export interface ChunkedUploadLimits {
  /** Smallest part the service accepts (except the last). */
  readonly minPartSize: number;
  readonly maxPartSize: number;
  readonly maxParts: number;
  /** Files at or above this size go up in parts. */
  readonly threshold: number;
}

/** The result of checking a bucket/container name: undefined when valid, else the rule broken. */
export type BucketNameValidator = (name: string) => string | undefined;

/**
 * What a provider can do, declared by its plugin as data and refined at connect time
 * (an S3-compatible service switches Glacier off, a bucket turns out to be versioned...).
 * The kernel reads these and never asks which provider it is talking to.
 */
export interface Capabilities {
  /** Custom key/value metadata stored with each object. */
  readonly metadata: boolean;
  readonly mtime: {
    readonly support: MtimeSupport;
    /** Smallest difference the provider can represent, in milliseconds (comparison tolerance). */
    readonly precisionMs: number;
  };
  /** Hashes listings or stat return for free. */
  readonly hashes: readonly HashAlgorithm[];
  readonly folders: FolderSemantics;
  readonly versioning: VersioningSupport;
  readonly archive: ArchiveCapabilities;
  readonly serverSideCopy: boolean;
  readonly serverSideMove: boolean;
  /** Objects can never be modified after upload (metadata included); only replaced. */
  readonly immutable: boolean;
  /** Largest object the service stores, in bytes; null when unbounded for practical purposes. */
  readonly maxObjectSize: number | null;
  /** Multipart/block/segment limits, or null when the provider uploads in one request only. */
  readonly chunkedUpload: ChunkedUploadLimits | null;
  /** Whether `a.txt` and `A.txt` are distinct objects. */
  readonly caseSensitive: boolean;
  /** Bucket/container naming rules, when the provider has buckets. */
  readonly validateBucketName?: BucketNameValidator;
}

export const NO_ARCHIVE: ArchiveCapabilities = Object.freeze({
  tiers: [],
  archiveTiers: [],
  restore: 'none',
  restorePriorities: [],
});

/**
 * Capabilities of a provider that can do nothing optional. Plugins spread this and
 * override what they support, so a capability added later defaults to "no".
 */
export const MINIMAL_CAPABILITIES: Capabilities = Object.freeze({
  metadata: false,
  mtime: Object.freeze({ support: 'none', precisionMs: 1000 }),
  hashes: [],
  folders: 'virtual',
  versioning: 'none',
  archive: NO_ARCHIVE,
  serverSideCopy: false,
  serverSideMove: false,
  immutable: false,
  maxObjectSize: null,
  chunkedUpload: null,
  caseSensitive: true,
}) as Capabilities;

/** Every optional operation a provider may implement; each is gated by a capability (see provider/operations.ts). */
export type OptionalOperation =
  | 'copy'
  | 'move'
  | 'setMtime'
  | 'setMetadata'
  | 'makeFolder'
  | 'removeFolder'
  | 'listVersions'
  | 'readVersion'
  | 'deleteVersion'
  | 'requestRestore'
  | 'listBuckets'
  | 'createBucket'
  | 'cleanupIncomplete';
