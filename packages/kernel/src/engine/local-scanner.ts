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
/** Names that are not valid UTF-8 come back from readdir with U+FFFD and cannot be opened by that name. */
async function invalidNames(absoluteDir: string): Promise<Set<string>> {
  const raw = await readdir(absoluteDir, { encoding: 'buffer' });
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const invalid = new Set<string>();
  for (const name of raw) {
    try {
      decoder.decode(name);
    } catch {
      invalid.add(name.toString('utf8'));
    }
  }
  return invalid;
}

export async function scanLocalFolder(absoluteDir: string): Promise<LocalListing> {
  const all = await readdir(absoluteDir, { withFileTypes: true });
  const listing: LocalListing = { files: [], folders: [], symlinks: [], problems: [] };
  let entries = all;
  if (all.some((e) => e.name.includes('\uFFFD'))) {
    const invalid = await invalidNames(absoluteDir);
    entries = all.filter((e) => !invalid.has(e.name));
    for (const name of invalid) {
      const error = Object.assign(new Error('its name is not valid UTF-8, so it cannot be stored under that name: rename the file'), { code: 'EILSEQ' });
      listing.problems.push({ name, error });
    }
  }
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
