import { createReadStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { CloudDatabase } from '../database/cloud-database.js';
import { writeLocalFile } from '../engine/download-file.js';
import { DATABASE_FOLDER } from '../engine/reserved-paths.js';
import type { RemoteEntry } from '../provider/remote-entry.js';
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
  return (await replaceWithDatabaseCopy(provider, profile, file, { anyProfile: false })) !== undefined;
}

/**
 * The copy of a cloud database kept at the destination: this profile's, else (with
 * `anyProfile`) the newest any profile left there. A copy at a destination's root describes
 * that destination whichever profile wrote it, and a one-off backup's profile name is derived
 * from a source path another machine does not have.
 */
export async function findDatabaseCopy(provider: StorageProvider, profile: string, options: { anyProfile: boolean }): Promise<RemoteEntry | undefined> {
  const own = await provider.stat(remoteDatabasePath(profile));
  if (own || !options.anyProfile) return own ? { ...own, path: remoteDatabasePath(profile) } : undefined;
  let newest: RemoteEntry | undefined;
  for await (const page of provider.list(DATABASE_FOLDER, { recursive: false })) {
    for (const entry of page) {
      if (entry.kind !== 'file' || !entry.path.endsWith('.sqlite')) continue;
      if (!newest || (entry.mtime ?? 0) > (newest.mtime ?? 0)) newest = entry;
    }
  }
  return newest;
}

/**
 * Fetch the destination's copy (see findDatabaseCopy) into `file`, replacing what is there
 * (the caller has closed it). Resolves the copy's path at the destination, or undefined when
 * there is none (then `file` is left as it was).
 */
export async function replaceWithDatabaseCopy(provider: StorageProvider, profile: string, file: string, options: { anyProfile: boolean }): Promise<string | undefined> {
  const copy = await findDatabaseCopy(provider, profile, options);
  if (!copy) return undefined;
  mkdirSync(dirname(file), { recursive: true });
  const fetched = `${file}.fetched`;
  rmSync(fetched, { force: true });
  await writeLocalFile(await provider.read(copy.path), fetched, { size: copy.size });
  for (const suffix of ['-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  renameSync(fetched, file);
  return copy.path;
}

export async function deleteDatabaseCopy(provider: StorageProvider, profile: string): Promise<boolean> {
  const path = remoteDatabasePath(profile);
  if (!(await provider.stat(path))) return false;
  await provider.delete(path);
  return true;
}

/**
 * Replace the open database with the destination's copy, when there is one (undefined: the
 * database stays open as it was; on failure it is closed). A dry run fetches the copy into
 * a throw-away folder and works on a scratch copy of that.
 */
export async function startFromDatabaseCopy(
  db: CloudDatabase,
  provider: StorageProvider,
  profile: string,
  file: string,
  dryRun: boolean,
): Promise<{ db: CloudDatabase; copy: string } | undefined> {
  let open = true;
  try {
    return await replaceOpenDatabase(db, provider, profile, file, dryRun, () => (open = false));
  } catch (error) {
    if (open) await db.close().catch(() => undefined);
    throw error;
  }
}

async function replaceOpenDatabase(
  db: CloudDatabase,
  provider: StorageProvider,
  profile: string,
  file: string,
  dryRun: boolean,
  closed: () => void,
): Promise<{ db: CloudDatabase; copy: string } | undefined> {
  const close = async () => {
    closed();
    await db.close();
  };
  if (dryRun) {
    const dir = mkdtempSync(join(tmpdir(), 'nimbus-db-fetch-'));
    try {
      const copy = await replaceWithDatabaseCopy(provider, profile, join(dir, 'cloud.sqlite'), { anyProfile: true });
      if (!copy) return undefined;
      await close();
      return { db: await CloudDatabase.open(join(dir, 'cloud.sqlite'), { scratch: true }), copy };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (!(await findDatabaseCopy(provider, profile, { anyProfile: true }))) return undefined;
  await close();
  const copy = await replaceWithDatabaseCopy(provider, profile, file, { anyProfile: true });
  return { db: await CloudDatabase.open(file), copy: copy! };
}
