import { UserError, describeError, resolveUserPath } from '@nimbus/kernel/plugin';
import { constants, type Stats } from 'node:fs';
import { access, mkdir, realpath, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { hasCode } from './fs-errors.js';

/** The absolute folder a configured path names: `~/` expanded, relative ones against `baseDir`. */
export function resolveRoot(path: string, baseDir: string): string {
  return resolveUserPath(path, baseDir);
}

/**
 * Check the destination folder and return its path for the provider: symlink-free when
 * it exists. Unless `create` is false (a dry run, which must create nothing), a missing
 * folder is created with its parents; with it false, the folder's nearest existing parent
 * is checked instead, so a dry run reports the problems a real run would meet. Anything
 * the user must fix becomes a one-line UserError saying what is wrong and how to fix it.
 */
export async function openRoot(folder: string, options: { create: boolean }): Promise<string> {
  const createFailure = options.create ? await createFolder(folder) : undefined;
  const { path: existing, stats } = await nearestExisting(folder);
  const isRoot = existing === folder;
  if (!stats.isDirectory()) {
    throw new UserError(
      isRoot
        ? `local destination ${folder} is a file, not a folder: point "path" at a folder`
        : `local destination ${folder} cannot be created because ${existing} is a file: choose another path or move that file`,
    );
  }
  try {
    await access(existing, constants.W_OK | constants.X_OK);
  } catch (error) {
    if (hasCode(error, 'EROFS')) {
      throw new UserError(`local destination ${folder} is on a read-only file system (${existing}): mount it writable or choose another path`);
    }
    throw new UserError(
      isRoot
        ? `local destination ${folder} is not writable: fix its permissions or choose another path`
        : `local destination ${folder} cannot be created because ${existing} is not writable: fix its permissions or choose another path`,
    );
  }
  if (createFailure && !isRoot) {
    throw new UserError(`local destination ${folder} cannot be created (${describeError(createFailure)}): create it yourself or choose another path`);
  }
  return isRoot ? realpath(folder) : folder;
}

/** Make the folder; a failure is explained by the checks that follow (file in the way, read-only...). */
async function createFolder(folder: string): Promise<unknown> {
  try {
    await mkdir(folder, { recursive: true });
    return undefined;
  } catch (error) {
    return error;
  }
}

/** The folder itself if it exists, else its closest existing ancestor. */
async function nearestExisting(folder: string): Promise<{ path: string; stats: Stats }> {
  for (let path = folder; ; path = dirname(path)) {
    try {
      return { path, stats: await stat(path) };
    } catch (error) {
      if (!hasCode(error, 'ENOENT', 'ENOTDIR') || dirname(path) === path) throw error;
    }
  }
}
