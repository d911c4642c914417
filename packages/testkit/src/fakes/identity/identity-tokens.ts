import { randomBytes } from 'node:crypto';

/** A token the fake issued: its expiry, and the real Swift (tempauth) token it stands for. */
export interface IssuedToken {
  readonly swiftToken: string;
  expiresAt: number;
}

/**
 * The tokens the Identity fake issued. Each has its own id (as Keystone's do) and its own
 * expiry, so a token can expire within seconds although the tempauth token behind it lives
 * for a day; the object-store front checks them.
 */
export class IdentityTokens {
  private readonly tokens = new Map<string, IssuedToken>();
  /** Lifetime of tokens issued from now on, in ms. */
  lifetimeMs: number;

  constructor(lifetimeSeconds: number) {
    this.lifetimeMs = lifetimeSeconds * 1000;
  }

  issue(swiftToken: string, now = Date.now()): { id: string; expiresAt: number } {
    // Fernet tokens (Keystone's default) start with "gAAAAA"; the rest only has to be unique.
    const id = `gAAAAA${randomBytes(48).toString('base64url')}`;
    // Keystone v2 states expiries to the second: the token expires at that second, not later.
    const expiresAt = Math.floor((now + this.lifetimeMs) / 1000) * 1000;
    this.tokens.set(id, { swiftToken, expiresAt });
    return { id, expiresAt };
  }

  /**
   * The tempauth token behind a valid token; undefined for a token expired or never issued.
   * Identity API v2.0: "If the authentication token has expired, a 401 response code is
   * returned. [...] The Identity API treats expired tokens as invalid tokens."
   */
  validate(id: string, now = Date.now()): string | undefined {
    const token = this.tokens.get(id);
    if (!token) return undefined;
    if (token.expiresAt <= now) return undefined;
    return token.swiftToken;
  }

  /** Make every token issued so far expire at once; resolves how many were still valid. */
  expireAll(now = Date.now()): number {
    let live = 0;
    for (const token of this.tokens.values()) {
      if (token.expiresAt > now) live++;
      token.expiresAt = 0;
    }
    return live;
  }

  /** Make a token expire at once; false when it was never issued. */
  expire(id: string): boolean {
    const token = this.tokens.get(id);
    if (!token) return false;
    token.expiresAt = 0;
    return true;
  }
}
