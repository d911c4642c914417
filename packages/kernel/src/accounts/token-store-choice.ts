import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../errors/nimbus-error.js';
import type { PasswordPrompt } from '../run/resolve-password.js';
import { EncryptedFileTokenStore, type StoreKeyMaterial } from './encrypted-file-token-store.js';
import { KeychainTokenStore, keychainService } from './keychain-token-store.js';
import type { TokenStore, TokenStoreKind } from './token-store.js';

export interface TokenStoreOptions {
  /** The accounts folder (the file store lives in its `tokens/`). */
  readonly accountsDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly prompt?: PasswordPrompt;
}

/** The machine key file: 32 random bytes made on first use, readable by its owner only. */
function readOrCreateKeyFile(path: string): string {
  try {
    const mode = statSync(path).mode & 0o777;
    if (mode & 0o077) throw new UserError(`the token store's key file ${path} can be read by other users (mode ${mode.toString(8)}): run chmod 600 ${path}`);
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const key = randomBytes(32).toString('base64');
    writeFileSync(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  }
}

/** Passphrase from $NIMBUS_TOKEN_PASSPHRASE, a key file named by $NIMBUS_TOKEN_KEY_FILE, or the terminal. */
function keyMaterial(options: TokenStoreOptions): StoreKeyMaterial {
  return async () => {
    const passphrase = options.env.NIMBUS_TOKEN_PASSPHRASE;
    if (passphrase) return passphrase;
    const keyFile = options.env.NIMBUS_TOKEN_KEY_FILE;
    if (keyFile) return readOrCreateKeyFile(keyFile);
    const answer = options.prompt ? await options.prompt('Passphrase of the Nimbus token store: ') : undefined;
    if (answer === undefined) {
      throw new UserError('no keychain is available here and the token store has no passphrase: set NIMBUS_TOKEN_PASSPHRASE (or NIMBUS_TOKEN_KEY_FILE to a key file) and run again');
    }
    if (!answer) throw new UserError('no passphrase given for the token store: run again and type it');
    return answer;
  };
}

function fileStore(options: TokenStoreOptions, why?: string): EncryptedFileTokenStore {
  return new EncryptedFileTokenStore(join(options.accountsDir, 'tokens'), keyMaterial(options), why);
}

function keychainStore(options: TokenStoreOptions): TokenStore {
  const store = KeychainTokenStore.probe(keychainService(options.accountsDir));
  if (!store) throw new UserError('no system keychain answers here (on Linux: a Secret Service such as GNOME Keyring): unlock one, or set NIMBUS_TOKEN_STORE=file');
  return store;
}

/**
 * The store new secrets go to: $NIMBUS_TOKEN_STORE (`keychain` or `file`) when set, else the
 * system keychain when one answers, else the encrypted file.
 */
export function chooseTokenStore(options: TokenStoreOptions): TokenStore {
  const wanted = options.env.NIMBUS_TOKEN_STORE;
  if (wanted === 'keychain') return keychainStore(options);
  if (wanted === 'file') return fileStore(options);
  if (wanted && wanted !== 'auto') throw new UserError(`NIMBUS_TOKEN_STORE is "${wanted}": use keychain, file or auto`);
  return KeychainTokenStore.probe(keychainService(options.accountsDir)) ?? fileStore(options, 'no system keychain answers here');
}

/** The store an existing account's secrets were saved in. */
export function openTokenStore(kind: TokenStoreKind, options: TokenStoreOptions): TokenStore {
  return kind === 'keychain' ? keychainStore(options) : fileStore(options);
}
