import type { Authenticator, SwiftCredentials } from './credentials.js';

/**
 * Tokens this close to their expiry are renewed before use: a minute, or a tenth of the
 * lifetime of a token shorter than ten minutes (a margin longer than the lifetime would
 * renew the token before every request).
 */
const RENEW_MARGIN_MS = 60_000;
const RENEW_FRACTION = 0.1;

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
  /** When each token was asked for (our clock): its lifetime is expiresAt minus this. */
  private readonly requestedAt = new WeakMap<SwiftCredentials, number>();

  constructor(readonly authenticator: Authenticator) {}

  async credentials(): Promise<SwiftCredentials> {
    const c = await (this.current ?? this.fetchNew());
    if (c.expiresAt !== undefined && c.expiresAt - this.marginFor(c, c.expiresAt) < Date.now()) return this.renew(c.token);
    return c;
  }

  private marginFor(c: SwiftCredentials, expiresAt: number): number {
    const requestedAt = this.requestedAt.get(c);
    return requestedAt === undefined ? RENEW_MARGIN_MS : Math.max(0, Math.min(RENEW_MARGIN_MS, (expiresAt - requestedAt) * RENEW_FRACTION));
  }

  /** Replaces `staleToken` (unless another request already did or is doing so) and returns fresh credentials. */
  renew(staleToken: string): Promise<SwiftCredentials> {
    if (this.current && this.currentToken !== staleToken) return this.current; // renewed already, or renewing
    return this.fetchNew();
  }

  private fetchNew(): Promise<SwiftCredentials> {
    const requestedAt = Date.now();
    const attempt = this.authenticator.authenticate().then((c) => {
      this.requestedAt.set(c, requestedAt);
      return c;
    });
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
