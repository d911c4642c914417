import { createReadStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import type { CloudDatabase } from '../database/cloud-database.js';
import { writeLocalFile } from '../engine/download-file.js';
import { DATABASE_FOLDER } from '../engine/reserved-paths.js';
import { joinPath } from '../provider/paths.js';
import type { StorageProvider } from '../provider/storage-provider.js';

/** Where a profile's database copy lives at the destination. */
export function remoteDatabasePath(profile: string): string {
  return joinPath(DATABASE_FOLDER, `${profile}.sqlite`);
}

/** Upload a consistent snapshot of the database to the destination (after a completed run). */
export async function uploadDatabaseCopy(db: CloudDatabase, provider: StorageProvider, profile: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-db-copy-'));
  try {
    const file = join(dir, 'cloud.sqlite');
    await db.snapshotTo(file);
    await provider.write(remoteDatabasePath(profile), createReadStream(file), { size: statSync(file).size });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A machine with no database for this profile starts from the copy at the destination, if
 * there is one. Resolves true when a copy was fetched into `file`.
 */
export async function fetchDatabaseCopy(provider: StorageProvider, profile: string, file: string): Promise<boolean> {
  if (existsSync(file)) return false;
  const path = remoteDatabasePath(profile);
  const entry = await provider.stat(path);
  if (!entry) return false;
  mkdirSync(dirname(file), { recursive: true });
  await writeLocalFile(await provider.read(path), file, { size: entry.size });
  return true;
}

export async function deleteDatabaseCopy(provider: StorageProvider, profile: string): Promise<boolean> {
  const path = remoteDatabasePath(profile);
  if (!(await provider.stat(path))) return false;
  await provider.delete(path);
  return true;
}
