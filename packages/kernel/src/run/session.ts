import { join } from 'node:path';
import type { LoadedProfile } from '../config/load-profile.js';
import { CloudDatabase } from '../database/cloud-database.js';
import { nimbusDataDir, profileDatabaseDir } from '../database/data-dir.js';
import { openAccountTokens } from '../accounts/account-tokens.js';
import type { TokenSource } from '../accounts/token-source.js';
import { describeError, isProviderError, UserError } from '../errors/nimbus-error.js';
import type { Logger } from '../log/logger.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import type { StorageProvider } from '../provider/storage-provider.js';
import { resolveDestination, type ResolvedDestination } from './destination.js';
import { withRetry } from '../engine/retry.js';
import type { PasswordPrompt } from './resolve-password.js';
import { Pacer } from '../pacer/pacer.js';
import { pacedProvider } from '../pacer/paced-provider.js';
import { acquireProfileLock } from './profile-lock.js';
import { fetchDatabaseCopy, startFromDatabaseCopy } from './remote-database-copy.js';

/** A profile's destination, connected, with its cloud database open. */
export interface Session {
  readonly provider: StorageProvider;
  readonly db: CloudDatabase;
  readonly destination: ResolvedDestination;
  /**
   * The database cannot be trusted as the destination's state: it is new or empty, the
   * last run was killed part-way, or the profile now points at another destination.
   */
  readonly needsListing: boolean;
  /** The previous run was killed part-way: leftovers (partial uploads) may remain. */
  readonly previousRunInterrupted: boolean;
  /** The profile's own folder (database, lock, trash). */
  readonly stateDir: string;
  /** Path at the destination of the database copy this session started from (see `databaseFromDestination`). */
  readonly startedFromCopy?: string;
  close(): Promise<void>;
}

const DESTINATION_KEY = 'destination';

/** Connecting retries briefly: a wrong address should fail within seconds, a blip should not fail the run. */
const CONNECT_RETRY = { retries: 2, minDelayMs: 250, maxDelayMs: 1000 };

/**
 * Connect to a resolved destination; refused credentials and the like become one-line usage
 * errors. The connection gets its own pacer, handed to the plugin (for requests it makes on
 * its own, such as the parts of one upload) and wrapped around every operation the engines
 * call, so all transfers of the run slow down together when the service throttles.
 */
export async function connectDestination(destination: ResolvedDestination, loaded: LoadedProfile, logger: Logger, stateDir: string, dryRun: boolean, env: NodeJS.ProcessEnv = process.env): Promise<StorageProvider> {
  // A linked account is checked before connecting: a revoked one is one line, not a failure per file.
  const tokens = destination.account ? await linkedAccountTokens(destination, env) : undefined;
  const pacer = new Pacer();
  try {
    // A passing network fault while connecting is retried like any other request.
    const context = { logger, stateDir, baseDir: loaded.baseDir, dryRun, pacer, ...(tokens ? { tokens } : {}) };
    const provider = await withRetry(() => pacer.call(() => destination.manifest.connect(destination.config, context)), CONNECT_RETRY);
    return pacedProvider(provider, pacer);
  } catch (error) {
    if (error instanceof UserError) throw error;
    const label = destination.label;
    if (isProviderError(error, 'auth')) throw new UserError(`${label} refused the credentials (${describeError(error)}): check them in the profile`);
    if (isProviderError(error, 'permission')) throw new UserError(`${label} denied access (${describeError(error)}): check the account's permissions`);
    throw new UserError(`cannot connect to ${label}: ${describeError(error)}`);
  }
}

async function knowsDestination(db: CloudDatabase, label: string): Promise<boolean> {
  return (await db.getMeta(DESTINATION_KEY)) === label && !(await db.isEmpty());
}

async function linkedAccountTokens(destination: ResolvedDestination, env: NodeJS.ProcessEnv): Promise<TokenSource> {
  const { tokens } = await openAccountTokens(destination.account!, destination.manifest, { dataDir: nimbusDataDir(env), env });
  await withRetry(() => tokens.getAccessToken(), CONNECT_RETRY);
  return tokens;
}

/**
 * Resolve and connect the profile's destination and open its cloud database (a scratch
 * copy in dry runs). The database is tied to the destination it describes: pointed
 * elsewhere, it is reset.
 */
export async function openSession(
  loaded: LoadedProfile,
  registry: PluginRegistry,
  options: {
    dryRun: boolean;
    logger: Logger;
    env?: NodeJS.ProcessEnv;
    prompt?: PasswordPrompt;
    /**
     * Restore and `db rebuild`: when the local database is missing or does not know this
     * destination, start from the copy of a cloud database kept there (whatever the profile
     * says about keeping one, and whichever profile wrote it): on a new machine it is what
     * knows the original times and hashes the destination itself may not keep. With 'always'
     * the local database is never trusted: the copy, else a fresh listing.
     */
    databaseFromDestination?: 'when-unknown' | 'always';
  },
): Promise<Session> {
  const profile = loaded.profile;
  const destination = await resolveDestination(loaded, registry, { ...(options.env ? { env: options.env } : {}), ...(options.prompt ? { prompt: options.prompt } : {}) });
  const dbDir = profileDatabaseDir(profile.name, profile.databaseDir, options.env);
  // Connect first: a destination that cannot be reached leaves nothing behind, not even a lock.
  const provider = await connectDestination(destination, loaded, options.logger, dbDir, options.dryRun, options.env);
  let release = () => {};
  let db: CloudDatabase | undefined;
  try {
    if (!options.dryRun) release = acquireProfileLock(dbDir, profile.name);
    const file = join(dbDir, 'cloud.sqlite');
    if (profile.remoteDatabaseCopy && !options.dryRun && (await fetchDatabaseCopy(provider, profile.name, file))) {
      options.logger.info(`profile ${profile.name}: started from the copy of its cloud database kept at the destination`);
    }
    db = await CloudDatabase.open(file, { scratch: options.dryRun });
    let startedFromCopy: string | undefined;
    const fromDestination = options.databaseFromDestination;
    if (fromDestination === 'always' || (fromDestination === 'when-unknown' && !(await knowsDestination(db, destination.label)))) {
      const current = db;
      db = undefined; // startFromDatabaseCopy closes it when it fails or replaces it
      const fetched = await startFromDatabaseCopy(current, provider, profile.name, file, options.dryRun);
      db = fetched?.db ?? current;
      if (fetched) {
        startedFromCopy = fetched.copy;
        options.logger.info(`profile ${profile.name}: started from the copy of a cloud database kept at the destination (${startedFromCopy})`);
        // Found at this destination, so it describes it, even if it was written under another name for the place.
        await db.setMeta(DESTINATION_KEY, destination.label);
      } else if (fromDestination === 'always') {
        await db.clear();
      }
    }
    const recorded = await db.getMeta(DESTINATION_KEY);
    if (recorded !== undefined && recorded !== destination.label) {
      options.logger.warn(`profile ${profile.name} now points at ${destination.label} (was ${recorded}): its cloud database is reset and the destination listed again`);
      await db.clear();
    }
    if (recorded !== destination.label) await db.setMeta(DESTINATION_KEY, destination.label);
    const previous = (await db.lastRuns(1))[0];
    const previousRunInterrupted = previous?.status === 'running';
    const needsListing = (await db.isEmpty()) || previousRunInterrupted;
    const [openedDb, connected] = [db, provider];
    return {
      provider: connected,
      db: openedDb,
      destination,
      needsListing,
      previousRunInterrupted,
      stateDir: dbDir,
      ...(startedFromCopy ? { startedFromCopy } : {}),
      close: async () => {
        try {
          await openedDb.close();
          await connected.close?.();
        } finally {
          release();
        }
      },
    };
  } catch (error) {
    await db?.close();
    await provider.close?.();
    release();
    throw error;
  }
}
