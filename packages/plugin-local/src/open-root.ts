import { UserError, describeError, resolveUserPath } from '@nimbus/kernel';
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
  if (options.create) await createFolder(folder);
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
  } catch {
    throw new UserError(
      isRoot
        ? `local destination ${folder} is not writable: fix its permissions or choose another path`
        : `local destination ${folder} cannot be created because ${existing} is not writable: fix its permissions or choose another path`,
    );
  }
  return isRoot ? realpath(folder) : folder;
}

async function createFolder(folder: string): Promise<void> {
  try {
    await mkdir(folder, { recursive: true });
  } catch (error) {
    // A file in the way or a read-only parent: reported precisely by the checks that follow.
    if (hasCode(error, 'EEXIST', 'ENOTDIR', 'EACCES', 'EPERM')) return;
    throw new UserError(`local destination ${folder} cannot be created (${describeError(error)}): create it yourself or choose another path`);
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
