import type { RemoteEntry } from '@nimbus/kernel/plugin';
import type { Dir } from 'node:fs';
import { opendir } from 'node:fs/promises';
import { entryAt } from './entries.js';
import { hasCode } from './fs-errors.js';
import { isPartialName } from './partial-files.js';
import type { RootPaths } from './root-paths.js';

export interface WalkOptions {
  readonly recursive: boolean;
  readonly pageSize: number;
}

/**
 * Pages of the entries below `dir`. Folders are read one at a time through an open
 * directory handle, and only the folders still to visit are remembered, so a huge tree
 * never sits in memory. Names are stat'ed in parallel batches of up to a page. Temp files
 * of uploads in progress are never listed; a folder that is missing (or vanishes mid-walk)
 * contributes nothing.
 */
export async function* walkPages(paths: RootPaths, dir: string, options: WalkOptions): AsyncIterable<RemoteEntry[]> {
  const toVisit = [dir];
  let page: RemoteEntry[] = [];
  let unstated: string[] = [];

  const statUnstated = async () => {
    const entries = await Promise.all(unstated.map((p) => entryAt(paths.toNative(p), p)));
    unstated = [];
    for (const entry of entries) {
      if (!entry) continue;
      page.push(entry);
      if (options.recursive && entry.kind === 'folder') toVisit.push(entry.path);
    }
  };

  while (toVisit.length) {
    const folder = toVisit.pop()!;
    const handle = await openFolder(paths.toNative(folder));
    if (!handle) continue;
    for await (const dirent of handle) {
      if (isPartialName(dirent.name)) continue;
      unstated.push(folder === '' ? dirent.name : `${folder}/${dirent.name}`);
      if (page.length + unstated.length >= options.pageSize) await statUnstated();
      if (page.length >= options.pageSize) {
        yield page;
        page = [];
      }
    }
    // Finish this folder's stats before picking the next one: they reveal its subfolders.
    await statUnstated();
    if (page.length >= options.pageSize) {
      yield page;
      page = [];
    }
  }
  if (page.length) yield page;
}

async function openFolder(native: string): Promise<Dir | undefined> {
  try {
    return await opendir(native);
  } catch (error) {
    if (hasCode(error, 'ENOENT', 'ENOTDIR')) return undefined;
    throw error;
  }
}
