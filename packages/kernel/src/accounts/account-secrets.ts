/**
 * What an account keeps secret, all in the token store (never in accounts.json, logs or
 * reports): its tokens and the client secret of the user's own OAuth client.
 */
export interface AccountSecrets {
  readonly accessToken: string;
  readonly refreshToken?: string;
  /** When the access token stops working (ms since epoch), if the provider said. */
  readonly expiresAt?: number;
  /** When the access token was issued (ms): with expiresAt, its lifetime. */
  readonly issuedAt: number;
  readonly clientSecret?: string;
}

/** Every secret string of a set, so outputs can be checked or masked. */
export function secretValues(secrets: AccountSecrets): string[] {
  return [secrets.accessToken, secrets.refreshToken, secrets.clientSecret].filter((v): v is string => Boolean(v));
}
