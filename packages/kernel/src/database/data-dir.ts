import envPaths from 'env-paths';
import { join } from 'node:path';

/**
 * Root of Nimbus's per-user state: $NIMBUS_DATA_DIR, else the platform's data folder
 * (XDG_DATA_HOME/nimbus on Linux).
 */
export function nimbusDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.NIMBUS_DATA_DIR || envPaths('nimbus', { suffix: '' }).data;
}

/** Folder holding one profile's cloud database. */
export function profileDatabaseDir(profileName: string, override?: string, env: NodeJS.ProcessEnv = process.env): string {
  return override ?? join(nimbusDataDir(env), 'profiles', profileName);
}
