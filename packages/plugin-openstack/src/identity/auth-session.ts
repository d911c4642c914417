import type { Authenticator, SwiftCredentials } from './credentials.js';

/** Tokens this close to their expiry are renewed before use. */
const RENEW_MARGIN_MS = 60_000;

/**
 * Holds the current token and renews it: before it expires, and when the object store
 * answers 401 (expired or revoked early). Concurrent requests share one renewal.
 */
export class AuthSession {
  private current?: Promise<SwiftCredentials>;
  /** The token `current` resolved to, once it has. */
  private currentToken?: string;
  /** How many times a token was obtained (for tests and logs). */
  authentications = 0;

  constructor(readonly authenticator: Authenticator) {}

  async credentials(): Promise<SwiftCredentials> {
    const c = await (this.current ?? this.fetchNew());
    if (c.expiresAt !== undefined && c.expiresAt - RENEW_MARGIN_MS < Date.now()) return this.renew(c.token);
    return c;
  }

  /** Replaces `staleToken` (unless another request already did or is doing so) and returns fresh credentials. */
  renew(staleToken: string): Promise<SwiftCredentials> {
    if (this.current && this.currentToken !== staleToken) return this.current; // renewed already, or renewing
    return this.fetchNew();
  }

  private fetchNew(): Promise<SwiftCredentials> {
    const attempt = this.authenticator.authenticate();
    this.current = attempt;
    this.currentToken = undefined;
    this.authentications++;
    attempt.then(
      (c) => {
        if (this.current === attempt) this.currentToken = c.token;
      },
      () => {
        if (this.current === attempt) this.current = undefined;
      },
    );
    return attempt;
  }
}
