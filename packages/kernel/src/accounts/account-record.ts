import type { EndpointName } from './oauth-declaration.js';
import type { TokenStoreKind } from './token-store.js';

/** A linked account, as kept in accounts.json: nothing secret (the secrets live in the token store). */
export interface AccountRecord {
  readonly name: string;
  /** Id of the plugin the account signs in to. */
  readonly provider: string;
  /** The user's own OAuth client id (public: it appears in every authorization URL). */
  readonly clientId: string;
  readonly scopes: readonly string[];
  /** Endpoints that replace the plugin's declared ones (a tenant's own URL, or a test server). */
  readonly endpoints: Partial<Record<EndpointName, string>>;
  /** Which store holds the secrets: a later run must read them from the same one. */
  readonly store: TokenStoreKind;
  readonly createdAt: string;
  /** Who the provider said the account is, when it was added or last tested. */
  readonly identity?: string;
}
