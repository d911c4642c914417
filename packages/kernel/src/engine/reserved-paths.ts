import { VERSIONS_FOLDER } from './versions-folder.js';

/** Where a copy of the profile's cloud database is kept at the destination (when asked for). */
export const DATABASE_FOLDER = '$NIMBUS$';

/**
 * Top-level destination folders that belong to Nimbus, not to the backed-up tree: never
 * listed as files, never deleted as strays; a source folder with one of these names at the
 * top is skipped with a note.
 */
export const RESERVED_FOLDERS: readonly string[] = [VERSIONS_FOLDER, DATABASE_FOLDER];

export function isReservedPath(path: string): boolean {
  return RESERVED_FOLDERS.some((folder) => path === folder || path.startsWith(`${folder}/`));
}
