import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { UserError } from '../errors/nimbus-error.js';

/**
 * Cross-process lock on one name inside the accounts folder (a directory lock that works
 * on network file systems too; a holder killed -9 is taken over once stale). Nimbus
 * processes take it around "re-read, refresh, save" so a rotated refresh token is never
 * used twice, and around changes to accounts.json.
 */
export async function lockAccountName(accountsDir: string, name: string): Promise<() => Promise<void>> {
  const dir = join(accountsDir, 'locks');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const target = join(dir, name);
  try {
    return await lockfile.lock(target, {
      realpath: false,
      lockfilePath: `${target}.lock`,
      stale: 20_000,
      retries: { retries: 200, factor: 1.3, minTimeout: 20, maxTimeout: 500 },
      // A lock found compromised (its holder too slow to touch it) must not crash the process.
      onCompromised: () => {},
    });
  } catch (error) {
    throw new UserError(`another Nimbus process has held the lock of account "${name}" for too long (${(error as Error).message}): try again`);
  }
}
