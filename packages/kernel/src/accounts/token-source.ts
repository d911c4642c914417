import { UserError } from '../errors/nimbus-error.js';
import { AccountDisconnectedError } from './account-errors.js';
import { lockAccountName } from './account-lock.js';
import type { AccountSecrets } from './account-secrets.js';
import { GrantRefusedError, type OAuthClient } from './oauth-client.js';
import type { TokenStore } from './token-store.js';

/**
 * Access tokens of a linked account, for a plugin. Ask for a token for each request (or
 * each part of an upload) rather than keeping one: a token lives about an hour, an
 * upload may last longer.
 */
export interface TokenSource {
  /** The account's name (for messages). */
  readonly account: string;
  /** A valid access token, refreshed ahead of its expiry; concurrent callers share one refresh. */
  getAccessToken(): Promise<string>;
  /**
   * The provider refused `token` (401): the next getAccessToken refreshes. Calls for a token
   * that was already replaced do nothing, so many requests failing at once cause one refresh.
   */
  invalidate(token: string): void;
}

/** Refresh this long before expiry: a minute, or a quarter of a short-lived token's life. */
function refreshMargin(secrets: AccountSecrets): number {
  if (secrets.expiresAt === undefined) return 0;
  return Math.min(60_000, Math.max(0, (secrets.expiresAt - secrets.issuedAt) / 4));
}

function isFresh(secrets: AccountSecrets, now: number): boolean {
  return secrets.expiresAt === undefined || secrets.expiresAt - refreshMargin(secrets) > now;
}

export interface AccountTokenSourceOptions {
  readonly account: string;
  readonly store: TokenStore;
  readonly client: OAuthClient;
  /** The accounts folder: the cross-process refresh lock lives there. */
  readonly accountsDir: string;
  readonly now?: () => number;
}

/**
 * The token source of one linked account in one process. A refresh takes the account's
 * cross-process lock, re-reads the store (another Nimbus process may have refreshed, and a
 * rotated refresh token works only once), refreshes only if the stored token is not fresh,
 * saves the result atomically, then releases the lock.
 */
export class AccountTokenSource implements TokenSource {
  readonly account: string;
  private current?: AccountSecrets;
  private refreshing?: Promise<AccountSecrets>;
  private readonly now: () => number;
  /** Refreshes this process made (tests and diagnostics). */
  refreshCount = 0;

  constructor(private readonly options: AccountTokenSourceOptions) {
    this.account = options.account;
    this.now = options.now ?? Date.now;
  }

  async getAccessToken(): Promise<string> {
    this.current ??= await this.readStored();
    if (isFresh(this.current, this.now())) return this.current.accessToken;
    return (await this.refresh(this.current.accessToken)).accessToken;
  }

  invalidate(token: string): void {
    if (this.current?.accessToken === token) this.current = { ...this.current, expiresAt: 0, issuedAt: 0 };
  }

  private refresh(stale: string): Promise<AccountSecrets> {
    this.refreshing ??= this.refreshUnderLock(stale).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async readStored(): Promise<AccountSecrets> {
    const stored = await this.options.store.read(this.account);
    if (!stored) throw new UserError(`account "${this.account}" has no tokens in the ${this.options.store.description}: run nimbus account reconnect ${this.account}`);
    return stored;
  }

  private async refreshUnderLock(stale: string): Promise<AccountSecrets> {
    const release = await lockAccountName(this.options.accountsDir, this.account);
    try {
      const stored = await this.readStored();
      // Another process (or an earlier refresh here) already has a newer, fresh token.
      if (stored.accessToken !== stale && isFresh(stored, this.now())) {
        this.current = stored;
        return stored;
      }
      if (!stored.refreshToken) throw new AccountDisconnectedError(this.account);
      let fresh: AccountSecrets;
      try {
        fresh = await this.options.client.refresh(stored.refreshToken);
      } catch (error) {
        if (error instanceof GrantRefusedError && error.error === 'invalid_grant') throw new AccountDisconnectedError(this.account);
        if (error instanceof GrantRefusedError) throw new UserError(`account "${this.account}": the provider refused to refresh its token (${error.error}): run nimbus account reconnect ${this.account}`);
        throw error;
      }
      const next: AccountSecrets = {
        ...stored,
        ...fresh,
        // Providers that do not rotate send no refresh token: keep the one we have.
        refreshToken: fresh.refreshToken ?? stored.refreshToken,
      };
      if (fresh.expiresAt === undefined) delete (next as { expiresAt?: number }).expiresAt;
      await this.options.store.write(this.account, next);
      this.refreshCount++;
      this.current = next;
      return next;
    } finally {
      await release();
    }
  }
}

/**
 * Send a request with the account's token; on 401, invalidate that token and send it once
 * more with a fresh one. `send` returns the HTTP status it got (and whatever else it needs).
 */
export async function withAccessToken<T extends { readonly status: number }>(tokens: TokenSource, send: (accessToken: string) => Promise<T>): Promise<T> {
  const token = await tokens.getAccessToken();
  const first = await send(token);
  if (first.status !== 401) return first;
  // A refused response's body is never read: release its connection before asking again.
  await (first as { body?: { cancel?: () => Promise<void> } | null }).body?.cancel?.().catch(() => {});
  tokens.invalidate(token);
  return send(await tokens.getAccessToken());
}
