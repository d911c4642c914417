import type { RemoteEntry } from '@nimbus/kernel/plugin';
import type { Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { hasCode } from './fs-errors.js';

/**
 * The entry for a native path, or undefined when nothing Nimbus could have stored is there:
 * missing, a symlink (never followed: it could point outside the root or loop), a socket...
 */
export async function entryAt(native: string, path: string): Promise<RemoteEntry | undefined> {
  let stats: Stats;
  try {
    stats = await lstat(native);
  } catch (error) {
    if (hasCode(error, 'ENOENT', 'ENOTDIR')) return undefined;
    throw error;
  }
  return entryFromStats(stats, path);
}

export function entryFromStats(stats: Stats, path: string): RemoteEntry | undefined {
  // mtimeMs is a float built from nanoseconds; rounding undoes utimes' float error (…677.9999 → 678).
  if (stats.isFile()) return { path, kind: 'file', size: stats.size, mtime: Math.round(stats.mtimeMs) };
  if (stats.isDirectory()) return { path, kind: 'folder', size: 0, mtime: Math.round(stats.mtimeMs) };
  return undefined;
}
