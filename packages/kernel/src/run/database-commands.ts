import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedProfile } from '../config/load-profile.js';
import { profileDatabaseDir } from '../database/data-dir.js';
import { RecordWriter } from '../engine/record-writer.js';
import { reconcileWithListing } from '../engine/reconcile.js';
import { VERSIONS_FOLDER } from '../engine/versions-folder.js';
import { silentLogger, type Logger } from '../log/logger.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import { resolveDestination } from './destination.js';
import { acquireProfileLock } from './profile-lock.js';
import { deleteDatabaseCopy } from './remote-database-copy.js';
import { connectDestination, openSession } from './session.js';

/** What deleting a cloud database means, said before it is done (the seed's warning). */
export function databaseDeletionWarning(profile: string): string {
  return (
    `Deleting the cloud database of profile ${profile} loses what it records that the destination may not keep ` +
    `(original modification times and sizes, hashes, archive-restore state, the list of versions in ${VERSIONS_FOLDER}). ` +
    'The next run lists the destination again and may copy or delete files because the facts it used are gone.'
  );
}

interface DatabaseRequest {
  readonly loaded: LoadedProfile;
  readonly registry: PluginRegistry;
  readonly env?: NodeJS.ProcessEnv;
  readonly logger?: Logger;
}

/** `nimbus db delete`: remove the local database (and with `remote`, its copy at the destination). */
export async function deleteProfileDatabase(request: DatabaseRequest & { remote: boolean }): Promise<{ local: boolean; remote: boolean }> {
  const { profile } = request.loaded;
  const dir = profileDatabaseDir(profile.name, profile.databaseDir, request.env);
  let remote = false;
  if (request.remote) {
    const destination = await resolveDestination(request.loaded, request.registry, request.env ? { env: request.env } : {});
    const provider = await connectDestination(destination, request.loaded, request.logger ?? silentLogger, dir, false, request.env);
    try {
      remote = await deleteDatabaseCopy(provider, profile.name);
    } finally {
      await provider.close?.();
    }
  }
  const file = join(dir, 'cloud.sqlite');
  const local = existsSync(file);
  if (local || existsSync(dir)) {
    const release = acquireProfileLock(dir, profile.name);
    try {
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
    } finally {
      release();
    }
  }
  return { local, remote };
}

export interface RebuildReport {
  readonly profile: string;
  readonly files: number;
  /** Files whose original mtime is known (from the database copy, metadata or settable mtime). */
  readonly withKnownMtime: number;
  /** The copy of a cloud database kept at the destination that the rebuild started from, if any. */
  readonly startedFromCopy?: string;
}

/**
 * `nimbus db rebuild`: rebuild the database from a full listing of the destination. A local
 * database that knows the destination is forgotten first; one that is missing or does not
 * know it starts from the copy kept at the destination (when there is one), whose facts the
 * listing then confirms, since the destination may not keep original times and hashes itself.
 */
export async function rebuildProfileDatabase(request: DatabaseRequest): Promise<RebuildReport> {
  const logger = request.logger ?? silentLogger;
  const session = await openSession(request.loaded, request.registry, { dryRun: false, logger, databaseFromDestination: 'when-unknown', ...(request.env ? { env: request.env } : {}) });
  try {
    const { db, provider } = session;
    if (!session.startedFromCopy) await db.clear();
    const runId = await db.startRun('rebuild', Date.now());
    await reconcileWithListing(provider, db, new RecordWriter(db), runId, logger);
    let files = 0;
    let withKnownMtime = 0;
    for await (const page of db.filesUnder('')) {
      files += page.length;
      withKnownMtime += page.filter((r) => r.mtime >= 0).length;
    }
    await db.finishRun(runId, 'completed', { filesUploaded: 0, bytesUploaded: 0, filesDeleted: 0, filesFailed: 0 }, Date.now());
    return { profile: request.loaded.profile.name, files, withKnownMtime, ...(session.startedFromCopy ? { startedFromCopy: session.startedFromCopy } : {}) };
  } finally {
    await session.close();
  }
}
