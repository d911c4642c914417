import { mkdir, stat } from 'node:fs/promises';
import type { LoadedProfile } from '../config/load-profile.js';
import type { ProgressListener } from '../engine/progress.js';
import { RestoreEngine } from '../engine/restore-engine.js';
import type { RestoreReport } from '../engine/restore-report.js';
import type { RetryPolicy } from '../engine/retry.js';
import { UserError } from '../errors/nimbus-error.js';
import { silentLogger, type Logger } from '../log/logger.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import { openSession } from './session.js';
import type { PasswordPrompt } from './resolve-password.js';
import { storedFormatFor } from './stored-format-for.js';

export interface RestoreRequestOptions {
  readonly loaded: LoadedProfile;
  readonly registry: PluginRegistry;
  /** Absolute folder to restore into (created when missing). */
  readonly target: string;
  /** Globs selecting paths (all files when empty). */
  readonly paths?: readonly string[];
  readonly force?: boolean;
  /** Restore each file as it was at this time (ms since epoch). */
  readonly at?: number;
  readonly dryRun?: boolean;
  readonly logger?: Logger;
  readonly onProgress?: ProgressListener;
  readonly env?: NodeJS.ProcessEnv;
  readonly retry?: RetryPolicy;
  /**
   * Trust no local database (a one-off `restore <provider>:<target>`, whose database is this
   * command's alone): start from the destination's copy of one, else from a listing.
   */
  readonly freshDatabase?: boolean;
  /** Asks for the encryption password when the profile says `prompt: true`. */
  readonly promptPassword?: PasswordPrompt;
}

async function checkTarget(target: string, dryRun: boolean): Promise<void> {
  const st = await stat(target).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Promise.reject(error)));
  if (st && !st.isDirectory()) throw new UserError(`restore target ${target} is a file: give a folder to restore into`);
  if (!st && !dryRun) {
    try {
      await mkdir(target, { recursive: true });
    } catch (error) {
      throw new UserError(`restore target ${target} cannot be created (${(error as NodeJS.ErrnoException).code}): choose a folder you can write to`);
    }
  }
}

/** `nimbus restore`: bring a profile's files back from its destination into a folder. */
export async function restoreProfile(request: RestoreRequestOptions): Promise<RestoreReport> {
  const logger = request.logger ?? silentLogger;
  const dryRun = request.dryRun === true;
  await checkTarget(request.target, dryRun);
  const { profile } = request.loaded;
  const format = await storedFormatFor(request.loaded, request.env ?? process.env, request.promptPassword);
  const session = await openSession(request.loaded, request.registry, { dryRun, logger, databaseFromDestination: request.freshDatabase ? 'always' : 'when-unknown', ...(request.env ? { env: request.env } : {}), ...(request.promptPassword ? { prompt: request.promptPassword } : {}) });
  try {
    await format.verifyPassword(session.provider, await session.db.anyEncrypted(), profile.name);
    const engine = new RestoreEngine(session.provider, session.db, {
      profileName: profile.name,
      destinationLabel: session.destination.label,
      target: request.target,
      paths: request.paths ?? [],
      force: request.force === true,
      ...(request.at !== undefined ? { at: request.at } : {}),
      dryRun,
      transfers: profile.transfers,
      archiveRestore: profile.archiveRestore,
      format,
      listRemote: session.needsListing,
      logger,
      ...(request.onProgress ? { onProgress: request.onProgress } : {}),
      ...(request.retry ? { retry: request.retry } : {}),
    });
    return await engine.run();
  } finally {
    await session.close();
    await format.close();
  }
}
