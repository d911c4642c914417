import { createRequire } from 'node:module';
import { UserError } from '../errors/nimbus-error.js';
import type { AccountSecrets } from './account-secrets.js';
import type { TokenStore } from './token-store.js';

/**
 * Keychain entries are "<service> / <account name>", the service naming the accounts folder:
 * two data folders (a test's, another user profile's) never share an entry.
 */
export function keychainService(accountsDir: string): string {
  return `nimbus accounts ${accountsDir}`;
}

type KeyringModule = typeof import('@napi-rs/keyring');

/** The native binding is loaded only when a keychain is wanted (it is absent on some platforms). */
function loadKeyring(): KeyringModule | undefined {
  try {
    return createRequire(import.meta.url)('@napi-rs/keyring') as KeyringModule;
  } catch {
    return undefined;
  }
}

function platformKeychainName(): string {
  if (process.platform === 'darwin') return 'macOS Keychain';
  if (process.platform === 'win32') return 'Windows Credential Manager';
  return 'Secret Service';
}

/**
 * The operating system's keychain through @napi-rs/keyring: macOS Keychain, Windows
 * Credential Manager, or a Secret Service on D-Bus (GNOME Keyring, KWallet) on Linux.
 */
export class KeychainTokenStore implements TokenStore {
  readonly kind = 'keychain' as const;
  readonly description = `system keychain (${platformKeychainName()})`;

  private constructor(private readonly keyring: KeyringModule, private readonly service: string) {}

  /**
   * A keychain store when one answers here: a probe entry is written, read back and
   * deleted (a headless Linux machine has the binding but usually no Secret Service).
   */
  static probe(service: string): KeychainTokenStore | undefined {
    const keyring = loadKeyring();
    if (!keyring) return undefined;
    try {
      const entry = new keyring.Entry(service, '.probe');
      entry.setPassword('probe');
      const back = entry.getPassword();
      entry.deletePassword();
      return back === 'probe' ? new KeychainTokenStore(keyring, service) : undefined;
    } catch {
      return undefined;
    }
  }

  async read(account: string): Promise<AccountSecrets | undefined> {
    const text = await this.call(() => new this.keyring.AsyncEntry(this.service, account).getPassword());
    return text ? (JSON.parse(text) as AccountSecrets) : undefined;
  }

  async write(account: string, secrets: AccountSecrets): Promise<void> {
    await this.call(() => new this.keyring.AsyncEntry(this.service, account).setPassword(JSON.stringify(secrets)));
  }

  async remove(account: string): Promise<void> {
    await this.call(() => new this.keyring.AsyncEntry(this.service, account).deletePassword());
  }

  /** Keychain failures (locked, gone since the probe) become one line; the binding's text carries no secret. */
  private async call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw new UserError(`the ${this.description} did not answer (${(error as Error).message}): unlock it, or set NIMBUS_TOKEN_STORE=file`);
    }
  }
}
