import type { TokenSource } from './token-source.js';

/** The OAuth 2 endpoints of a provider's authorization server. */
export interface OAuthEndpoints {
  /** Where the browser signs in (authorization code grant, RFC 6749 §4.1). */
  readonly authorization: string;
  readonly token: string;
  /** Device authorization endpoint (RFC 8628), where the provider offers the device flow. */
  readonly device?: string;
  /** Token revocation (RFC 7009); `account remove` uses it when present. */
  readonly revocation?: string;
  /** Answers "who is this token's account" (`account test`) when the plugin has no `whoAmI`. */
  readonly userinfo?: string;
}

export const ENDPOINT_NAMES = ['authorization', 'token', 'device', 'revocation', 'userinfo'] as const;
export type EndpointName = (typeof ENDPOINT_NAMES)[number];

/** Who an account is, as the provider says (shown by `account list` and `account test`). */
export interface AccountIdentity {
  /** A secret-free name for people: an e-mail address or a user name. */
  readonly name: string;
  readonly id?: string;
}

/**
 * A plugin's declaration that it signs in with a linked account (OAuth 2 authorization
 * code with PKCE, and the device flow where offered). Each user registers their own
 * client with the provider; Nimbus ships none.
 */
export interface OAuthDeclaration {
  readonly endpoints: OAuthEndpoints;
  readonly defaultScopes: readonly string[];
  /** PKCE (RFC 7636, S256). Default true; only a provider that refuses it turns it off. */
  readonly pkce?: boolean;
  /** Extra query parameters of the authorization request (e.g. Google's `access_type: offline`). */
  readonly authorizationParameters?: Readonly<Record<string, string>>;
  /**
   * Loopback port of the redirect (`http://127.0.0.1:<port>/callback`) for providers that want
   * the exact redirect URI registered; default any free port (RFC 8252 §7.3). `--port` overrides.
   */
  readonly redirectPort?: number;
  /** Where to create a client, shown when `account add` is run without one. */
  readonly clientRegistrationHelp?: string;
  /** Ask the provider who the account is; without it, the `userinfo` endpoint is asked. */
  whoAmI?(tokens: TokenSource, endpoints: OAuthEndpoints): Promise<AccountIdentity>;
}
