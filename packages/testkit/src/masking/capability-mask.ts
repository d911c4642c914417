import type { Capabilities, HashAlgorithm, MtimeSupport } from '@nimbus/kernel';

/**
 * Capabilities to hide from a provider. A mask only ever takes abilities away: asking for
 * more than the provider has leaves its own (weaker) value in place.
 */
export interface CapabilityMask {
  /** No custom metadata: entries lose it, writes drop it, setMetadata disappears. */
  readonly metadata?: false;
  /**
   * 'on-upload': mtime is honoured by write only (setMtime disappears).
   * 'none': writes drop the mtime and objects carry their upload time.
   */
  readonly mtime?: Exclude<MtimeSupport, 'any-time'>;
  /** Folders become prefixes: no empty folders in listings, no makeFolder/removeFolder. */
  readonly folders?: 'virtual';
  readonly serverSideCopy?: false;
  readonly serverSideMove?: false;
  /** No versions: the version operations disappear and entries lose versionId. */
  readonly versioning?: 'none';
  /** Keep at most these free hashes (`[]` hides them all). */
  readonly hashes?: readonly HashAlgorithm[];
  /**
   * Names are case-insensitive and case-preserving, as on OneDrive, Dropbox and Box: a path
   * reaches the existing object whose name differs only by case (see case-insensitive-paths.ts).
   */
  readonly caseSensitive?: false;
}

const MTIME_STRENGTH: Record<MtimeSupport, number> = { none: 0, 'on-upload': 1, 'any-time': 2 };

/** The capabilities a provider has once `mask` is applied. */
export function reduceCapabilities(capabilities: Capabilities, mask: CapabilityMask): Capabilities {
  const mtime =
    mask.mtime !== undefined && MTIME_STRENGTH[mask.mtime] < MTIME_STRENGTH[capabilities.mtime.support]
      ? { ...capabilities.mtime, support: mask.mtime }
      : capabilities.mtime;
  return Object.freeze({
    ...capabilities,
    metadata: capabilities.metadata && mask.metadata !== false,
    mtime,
    hashes: mask.hashes ? capabilities.hashes.filter((h) => mask.hashes!.includes(h)) : capabilities.hashes,
    folders: mask.folders ?? capabilities.folders,
    versioning: mask.versioning ?? capabilities.versioning,
    serverSideCopy: capabilities.serverSideCopy && mask.serverSideCopy !== false,
    serverSideMove: capabilities.serverSideMove && mask.serverSideMove !== false,
    caseSensitive: capabilities.caseSensitive && mask.caseSensitive !== false,
  });
}
