import { joinPath } from '../provider/paths.js';

/**
 * The folder, at the destination root, where Nimbus keeps previous copies on providers
 * without versioning of their own (the name SyncBackPro uses). It is never part of the
 * backed-up tree: a source folder of that name at the root is skipped.
 */
export const VERSIONS_FOLDER = '$SBV$';

/** 2026-11-26T11:03:05.123Z → 20261126T110305123Z: sortable, and legal in every provider's names. */
export function versionStamp(time: number): string {
  return new Date(time).toISOString().replace(/[-:.]/g, '');
}

/** `$SBV$/<path>/<stamp>`: the versions of one file sit together, newest last by name. */
export function versionLocation(path: string, supersededAt: number): string {
  return joinPath(VERSIONS_FOLDER, path, versionStamp(supersededAt));
}
