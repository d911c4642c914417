/** Exit codes shared by every front end. */
export const ExitCode = {
  ok: 0,
  /** The run finished but some files failed. */
  partial: 1,
  /** Usage or configuration error: nothing was written. */
  usage: 2,
} as const;

/**
 * A mistake the user can fix (bad profile, missing folder, unknown provider...).
 * Its message is one line saying what is wrong and how to fix it; front ends print
 * it without a stack trace and exit with `exitCode`.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(message: string, readonly exitCode: number = ExitCode.usage) {
    super(message);
  }
}

/** Why a provider operation failed, in terms the engine can act on. */
export type ProviderErrorKind =
  /** The object or folder does not exist. */
  | 'not-found'
  /** The object sits in an archive tier and must be restored before it can be read. */
  | 'archived'
  /** Credentials were refused. */
  | 'auth'
  /** The account may not do this (read-only key, denied bucket...). */
  | 'permission'
  /** Worth retrying: 5xx, connection reset, timeout. */
  | 'transient'
  /**
   * The service is rate-limiting the account (429, S3 SlowDown, Azure ServerBusy, Drive's
   * userRateLimitExceeded): worth retrying, but the whole connection must slow down, not just
   * this request. `retryAfterSeconds` carries the wait the service asked for, when it said.
   */
  | 'throttled'
  /** A precondition or conflict (object exists, bucket not empty...). */
  | 'conflict'
  /** The request can never succeed as made (name too long, object too large...). */
  | 'invalid'
  | 'unknown';

/** Brand shared by every copy of the kernel a process may load (a plugin may bundle its own). */
const PROVIDER_ERROR = Symbol.for('nimbus.ProviderError');

/** An error raised by a provider, classified so the engine never parses SDK messages. */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  /** Seconds the service asked us to wait (Retry-After), if it said; mostly on `throttled` errors. */
  readonly retryAfterSeconds?: number;
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    options: { cause?: unknown; retryAfterSeconds?: number } = {},
  ) {
    super(message, { cause: options.cause });
    Object.defineProperty(this, PROVIDER_ERROR, { value: true });
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function isProviderError(error: unknown, kind?: ProviderErrorKind): error is ProviderError {
  const branded = typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[PROVIDER_ERROR] === true;
  return branded && (kind === undefined || (error as ProviderError).kind === kind);
}

/** A one-line message for any thrown value, for reports and logs. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}
