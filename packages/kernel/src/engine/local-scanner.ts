import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DOWNLOAD_PREFIX } from './download-file.js';

export interface LocalFile {
  readonly name: string;
  readonly size: number;
  /** Whole milliseconds since epoch: mtimeMs is a float built from nanoseconds, rounding undoes utimes' float error. */
  readonly mtime: number;
}

export interface LocalListing {
  readonly files: LocalFile[];
  readonly folders: string[];
  /** Symbolic links are not followed (no loops, no escaping the source); they are reported. */
  readonly symlinks: string[];
  /** Entries that could not be examined, with the reason. */
  readonly problems: { name: string; error: NodeJS.ErrnoException }[];
}

/** One level of the source tree, stat'ed with bounded parallelism. */
export async function scanLocalFolder(absoluteDir: string): Promise<LocalListing> {
  const entries = await readdir(absoluteDir, { withFileTypes: true });
  const listing: LocalListing = { files: [], folders: [], symlinks: [], problems: [] };
  const BATCH = 64;
  for (let i = 0; i < entries.length; i += BATCH) {
    await Promise.all(
      entries.slice(i, i + BATCH).map(async (entry) => {
        if (entry.isDirectory()) return void listing.folders.push(entry.name);
        if (entry.isSymbolicLink()) return void listing.symlinks.push(entry.name);
        if (!entry.isFile()) return; // sockets, fifos, devices: nothing to back up
        if (entry.name.startsWith(DOWNLOAD_PREFIX)) return; // a download (sync, restore) cut short
        try {
          const st = await lstat(join(absoluteDir, entry.name));
          listing.files.push({ name: entry.name, size: st.size, mtime: Math.round(st.mtimeMs) });
        } catch (error) {
          listing.problems.push({ name: entry.name, error: error as NodeJS.ErrnoException });
        }
      }),
    );
  }
  return listing;
}
