import type { CapabilityMask } from './capability-mask.js';

/**
 * Ready-made masks, one per kernel fallback path, plus all of them at once.
 * Run the engine's tests (or the conformance suite) under each to cover the fallbacks
 * with a provider that really has the features.
 */
export const MASKS = Object.freeze({
  /** The kernel keeps file facts in its cloud database only. */
  noMetadata: { metadata: false },
  /** The kernel cannot trust remote mtimes at all. */
  noMtime: { mtime: 'none' },
  /** mtime can be given on upload but never changed: touching a file means re-uploading it. */
  uploadOnlyMtime: { mtime: 'on-upload' },
  /** Empty folders cannot be represented. */
  virtualFolders: { folders: 'virtual' },
  /** Renames and copies become download + upload (+ delete). */
  noServerSideOps: { serverSideCopy: false, serverSideMove: false },
  /** Names that differ only by case are one object (OneDrive, Dropbox, Box). */
  caseInsensitive: { caseSensitive: false },
  /** The weakest provider the kernel must still handle. */
  allFallbacks: {
    metadata: false,
    mtime: 'none',
    folders: 'virtual',
    serverSideCopy: false,
    serverSideMove: false,
    versioning: 'none',
    hashes: [],
  },
} as const satisfies Record<string, CapabilityMask>);

export type MaskName = keyof typeof MASKS;
