import type { HashAlgorithm } from '../capabilities/capabilities.js';

/** Where an archived object stands. */
export type ArchiveStatus =
  /** Online: readable now. */
  | 'online'
  /** In an archive tier; no restore requested (or the temporary copy expired). */
  | 'archived'
  /** A restore was requested and is not finished. */
  | 'restoring'
  /** Archived, but a restored (temporary or rehydrated) copy is readable now. */
  | 'restored';

export interface ArchiveState {
  readonly status: ArchiveStatus;
  /** Storage class/tier the object is in (e.g. GLACIER, Archive). */
  readonly tier?: string;
  /** When a temporary restored copy expires (ms since epoch), if the service said. */
  readonly expiresAt?: number;
}

/**
 * An object or folder as the provider reports it. Paths are relative to the provider's
 * root (bucket plus prefix), use `/` as separator, have no leading or trailing slash,
 * and keep the exact bytes of the name the user gave (no Unicode normalisation).
 */
export interface RemoteEntry {
  readonly path: string;
  readonly kind: 'file' | 'folder';
  /** Size of the stored bytes (after compression/encryption), 0 for folders. */
  readonly size: number;
  /** Modification time in ms since epoch, as the provider keeps it (see Capabilities.mtime). */
  readonly mtime?: number;
  readonly hashes?: Partial<Record<HashAlgorithm, string>>;
  /** Custom metadata, when the provider has it and the listing returned it. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** The provider's own id for the object (Drive file id, Dropbox id...). */
  readonly remoteId?: string;
  readonly versionId?: string;
  readonly archive?: ArchiveState;
}

/** One stored version of an object, for providers with versioning. */
export interface RemoteVersion {
  readonly path: string;
  readonly versionId: string;
  readonly size: number;
  /** When this version was stored (ms since epoch). */
  readonly storedAt: number;
  readonly isLatest: boolean;
  /** A deletion marker rather than content. */
  readonly isDeleteMarker: boolean;
}
