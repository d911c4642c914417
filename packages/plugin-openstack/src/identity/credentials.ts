/** What an authentication yields: a token and the object-store URL it works on. */
export interface SwiftCredentials {
  readonly token: string;
  /** The account's storage URL, e.g. https://swift.example/v1/AUTH_<project>. */
  readonly storageUrl: string;
  /** When the token expires (ms since epoch), if the Identity service said. */
  readonly expiresAt?: number;
}

/** One way of obtaining credentials (auth v1, Identity v2, Identity v3...). */
export interface Authenticator {
  /** A short description for messages: never contains secrets. */
  readonly description: string;
  authenticate(): Promise<SwiftCredentials>;
}
