import type { AccountSecrets } from './account-secrets.js';

export type TokenStoreKind = 'keychain' | 'file';

/** Where an account's secrets are kept: the system keychain, or an encrypted file. */
export interface TokenStore {
  readonly kind: TokenStoreKind;
  /** For people: "system keychain (Secret Service)", "encrypted file in <dir>". */
  readonly description: string;
  read(account: string): Promise<AccountSecrets | undefined>;
  /** Replaces the account's secrets at once (a reader never sees half of them). */
  write(account: string, secrets: AccountSecrets): Promise<void>;
  remove(account: string): Promise<void>;
  /** Ask for whatever opens the store now (a passphrase), so it fails before a sign-in rather than after. */
  unlock?(): Promise<void>;
}
