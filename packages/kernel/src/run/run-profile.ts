import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoadedProfile } from '../config/load-profile.js';
import { CloudDatabase } from '../database/cloud-database.js';
import { profileDatabaseDir } from '../database/data-dir.js';
import { BackupEngine } from '../engine/backup-engine.js';
import { PathFilter } from '../engine/filters.js';
import type { ProgressListener } from '../engine/progress.js';
import type { RetryPolicy } from '../engine/retry.js';
import type { RunReport } from '../engine/run-report.js';
import { describeError, isProviderError, UserError } from '../errors/nimbus-error.js';
import { silentLogger, type Logger } from '../log/logger.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import type { StorageProvider } from '../provider/storage-provider.js';
import { resolveDestination, type ResolvedDestination } from './destination.js';

export interface RunRequest {
  readonly loaded: LoadedProfile;
  readonly registry: PluginRegistry;
  readonly dryRun?: boolean;
  readonly logger?: Logger;
  readonly onProgress?: ProgressListener;
  readonly env?: NodeJS.ProcessEnv;
  readonly retry?: RetryPolicy;
}

const DESTINATION_KEY = 'destination';

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

async function connect(destination: ResolvedDestination, loaded: LoadedProfile, logger: Logger, stateDir: string, dryRun: boolean): Promise<StorageProvider> {
  try {
    return await destination.manifest.connect(destination.config, { logger, stateDir, baseDir: loaded.baseDir, dryRun });
  } catch (error) {
    if (error instanceof UserError) throw error;
    const label = destination.label;
    if (isProviderError(error, 'auth')) throw new UserError(`${label} refused the credentials (${describeError(error)}): check them in the profile`);
    if (isProviderError(error, 'permission')) throw new UserError(`${label} denied access (${describeError(error)}): check the account's permissions`);
    throw new UserError(`cannot connect to ${label}: ${describeError(error)}`);
  }
}

/**
 * Run one profile end to end: check the source, resolve and connect the destination's
 * plugin, open the profile's cloud database, run the engine, and always release both.
 * Validation happens before anything is written.
 */
export async function runProfile(request: RunRequest): Promise<RunReport> {
  const { loaded, registry } = request;
  const logger = request.logger ?? silentLogger;
  const dryRun = request.dryRun === true;
  const profile = loaded.profile;
  await checkSource(loaded);
  const destination = await resolveDestination(loaded, registry);
  const dbDir = profileDatabaseDir(profile.name, profile.databaseDir, request.env);
  const provider = await connect(destination, loaded, logger, dbDir, dryRun);
  let db: CloudDatabase | undefined;
  try {
    db = await CloudDatabase.open(join(dbDir, 'cloud.sqlite'), { scratch: dryRun });
    const recorded = await db.getMeta(DESTINATION_KEY);
    if (recorded !== undefined && recorded !== destination.label) {
      logger.warn(`profile ${profile.name} now points at ${destination.label} (was ${recorded}): its cloud database is reset and the destination listed again`);
      await db.clear();
    }
    if (recorded !== destination.label) await db.setMeta(DESTINATION_KEY, destination.label);
    const previous = (await db.lastRuns(1))[0];
    // List the destination when the database cannot be trusted: first run, a run that
    // was killed part-way, or when the profile asks for it every time.
    const listRemote = profile.verifyRemote || (await db.isEmpty()) || previous?.status === 'running';
    const engine = new BackupEngine(provider, db, {
      profileName: profile.name,
      sourceRoot: profile.source,
      destinationLabel: destination.label,
      filter: new PathFilter(profile.filters.include, profile.filters.exclude),
      compare: profile.compare,
      deleteRemoved: profile.deleteRemoved,
      transfers: profile.transfers,
      listRemote,
      dryRun,
      logger,
      ...(request.onProgress ? { onProgress: request.onProgress } : {}),
      ...(request.retry ? { retry: request.retry } : {}),
    });
    return await engine.run();
  } finally {
    await db?.close();
    await provider.close?.();
  }
}
