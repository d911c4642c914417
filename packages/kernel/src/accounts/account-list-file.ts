import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors/nimbus-error.js';
import type { AccountRecord } from './account-record.js';
import { writeFileAtomic } from './atomic-file.js';

/** The folder of linked accounts inside Nimbus's data folder. */
export function accountsDir(dataDir: string): string {
  return join(dataDir, 'accounts');
}

/**
 * accounts.json: the linked accounts, without secrets. Changed only under the accounts lock
 * (see AccountBook), written atomically.
 */
export class AccountListFile {
  readonly path: string;
  constructor(readonly dir: string) {
    this.path = join(dir, 'accounts.json');
  }

  async read(): Promise<AccountRecord[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as { accounts?: AccountRecord[] };
      return parsed.accounts ?? [];
    } catch {
      throw new UserError(`${this.path} is not valid JSON: repair it or remove it and add the accounts again`);
    }
  }

  async write(accounts: readonly AccountRecord[]): Promise<void> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const sorted = [...accounts].sort((a, b) => a.name.localeCompare(b.name));
    await writeFileAtomic(this.path, `${JSON.stringify({ version: 1, accounts: sorted }, null, 2)}\n`);
  }
}
