import { readdir, stat } from 'node:fs/promises';
import type { LoadedProfile } from '../config/load-profile.js';
import { join } from 'node:path';
import { BackupEngine, type BackupOptions } from '../engine/backup-engine.js';
import { SyncEngine } from '../engine/sync-engine.js';
import type { SyncReport } from '../engine/sync-report.js';
import { PathFilter } from '../engine/filters.js';
import type { ProgressListener } from '../engine/progress.js';
import type { RetryPolicy } from '../engine/retry.js';
import type { RunReport } from '../engine/run-report.js';
import { describeError, UserError } from '../errors/nimbus-error.js';
import { silentLogger, type Logger } from '../log/logger.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import { openSession, type Session } from './session.js';
import { storedFormatFor } from './stored-format-for.js';
import { uploadDatabaseCopy } from './remote-database-copy.js';
import type { PasswordPrompt } from './resolve-password.js';

export interface RunRequest {
  readonly loaded: LoadedProfile;
  readonly registry: PluginRegistry;
  readonly dryRun?: boolean;
  readonly logger?: Logger;
  readonly onProgress?: ProgressListener;
  readonly env?: NodeJS.ProcessEnv;
  readonly retry?: RetryPolicy;
  /** Sync: delete even when more than the profile's maxDeletePercent of the files would go. */
  readonly forceDeletes?: boolean;
  /** Asks for the encryption password when the profile says `prompt: true`. */
  readonly promptPassword?: PasswordPrompt;
}

/** What any run reports: a backup's or a sync's report, told apart by `mode`. */
export type ProfileReport = RunReport | SyncReport;

/** The source must be a readable folder; anything else is the user's to fix. */
async function checkSource(loaded: LoadedProfile): Promise<void> {
  const { source } = loaded.profile;
  const where = loaded.origin === 'command line' ? 'the command line' : loaded.origin;
  let st;
  try {
    st = await stat(source);
  } catch {
    throw new UserError(`source folder ${source} does not exist: fix "source" in ${where}`);
  }
  if (!st.isDirectory()) throw new UserError(`source ${source} is not a folder: point "source" in ${where} at a folder`);
  try {
    await readdir(source);
  } catch (error) {
    throw new UserError(`source folder ${source} cannot be read (${(error as NodeJS.ErrnoException).code}): check its permissions`);
  }
}

/**
 * Run one profile end to end, whatever its mode: check the source, open the session
 * (destination and cloud database), run the backup or sync engine, and always release
 * both. Validation happens before anything is written.
 */
export async function runProfile(request: RunRequest): Promise<ProfileReport> {
  return request.loaded.profile.mode === 'sync' ? runSync(request) : runBackup(request);
}

/** Run a `mode: backup` profile. */
export async function runBackup(request: RunRequest): Promise<RunReport> {
  return withSession(request, (session, common) =>
    new BackupEngine(session.provider, session.db, {
      ...common,
      deleteRemoved: request.loaded.profile.deleteRemoved,
      listRemote: request.loaded.profile.verifyRemote || session.needsListing,
      cleanupIncomplete: session.previousRunInterrupted,
    }).run(),
  );
}

/** Run a `mode: sync` profile (two-way). */
export async function runSync(request: RunRequest): Promise<SyncReport> {
  const profile = request.loaded.profile;
  return withSession(request, (session, common) =>
    new SyncEngine(session.provider, session.db, {
      ...common,
      conflicts: profile.conflicts,
      maxDeletePercent: profile.maxDeletePercent,
      forceDeletes: request.forceDeletes === true,
      trashDir: join(session.stateDir, 'trash'),
      archiveRestore: profile.archiveRestore,
    }).run(),
  );
}

/** Settings both engines take from the profile and the request. */
type CommonOptions = Omit<BackupOptions, 'deleteRemoved' | 'listRemote' | 'cleanupIncomplete'>;

async function withSession<R>(request: RunRequest, run: (session: Session, common: CommonOptions) => Promise<R>): Promise<R> {
  const { loaded, registry } = request;
  const logger = request.logger ?? silentLogger;
  const dryRun = request.dryRun === true;
  const profile = loaded.profile;
  await checkSource(loaded);
  const format = await storedFormatFor(loaded, request.env ?? process.env, request.promptPassword);
  const session = await openSession(loaded, registry, { dryRun, logger, ...(request.env ? { env: request.env } : {}), ...(request.promptPassword ? { prompt: request.promptPassword } : {}) });
  try {
    await format.verifyPassword(session.provider, await session.db.anyEncrypted(), profile.name);
    const report = await run(session, {
      format,
      profileName: profile.name,
      sourceRoot: profile.source,
      destinationLabel: session.destination.label,
      filter: new PathFilter(profile.filters.include, profile.filters.exclude),
      compare: profile.compare,
      versioning: profile.versioning,
      transfers: profile.transfers,
      dryRun,
      logger,
      ...(request.onProgress ? { onProgress: request.onProgress } : {}),
      ...(request.retry ? { retry: request.retry } : {}),
    });
    if (profile.remoteDatabaseCopy && !dryRun) {
      try {
        await uploadDatabaseCopy(session.db, session.provider, profile.name);
      } catch (error) {
        logger.warn(`the copy of the cloud database could not be stored at the destination: ${describeError(error)}`);
      }
    }
    return report;
  } finally {
    await session.close();
    await format.close();
  }
}
