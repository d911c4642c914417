import { isProviderError, ProviderError, type ProviderErrorKind } from '@nimbus/kernel/plugin';

/** An error answer of the B2 API: HTTP status plus B2's `{status, code, message}` body. */
export class B2ApiError extends Error {
  override readonly name = 'B2ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** From Retry-After (429 and 503 carry one). */
    readonly retryAfterSeconds?: number,
    /** The API call that failed, e.g. b2_upload_file. */
    readonly call?: string,
  ) {
    super(message);
  }
}

const KIND_BY_CODE: Record<string, ProviderErrorKind> = {
  bad_auth_token: 'auth',
  expired_auth_token: 'auth',
  missing_auth_token: 'auth',
  unsupported: 'auth',
  not_found: 'not-found',
  no_such_file: 'not-found',
  file_not_present: 'not-found',
  bad_bucket_id: 'not-found',
  invalid_bucket_id: 'not-found',
  duplicate_bucket_name: 'conflict',
  already_hidden: 'conflict',
  conflict: 'conflict',
  too_many_buckets: 'invalid',
  out_of_range: 'invalid',
  range_not_satisfiable: 'invalid',
  bad_request: 'invalid',
  invalid_file_id: 'invalid',
  cap_exceeded: 'permission',
  storage_cap_exceeded: 'permission',
  transaction_cap_exceeded: 'permission',
  access_denied: 'permission',
  request_timeout: 'transient',
  too_many_requests: 'throttled',
  internal_error: 'transient',
  service_unavailable: 'transient',
};

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

export function kindOfB2Error(error: B2ApiError): ProviderErrorKind {
  // "unauthorized" is refused credentials at authorization, a missing capability anywhere else.
  if (error.code === 'unauthorized') return error.call === 'b2_authorize_account' ? 'auth' : 'permission';
  const byCode = KIND_BY_CODE[error.code];
  if (byCode) return byCode;
  const s = error.status;
  if (s === 404) return 'not-found';
  if (s === 401) return 'auth';
  if (s === 403) return 'permission';
  if (s === 429) return 'throttled';
  if (s === 408 || s >= 500) return 'transient';
  if (s === 409) return 'conflict';
  if (s === 400 || s === 416) return 'invalid';
  return 'unknown';
}

/** A failure of the connection itself (reset, refused, timeout) rather than an answer. */
export function isNetworkError(error: unknown): boolean {
  if (!(error instanceof Error) || error.name === 'AbortError') return false;
  const cause = (error as { cause?: { code?: string } }).cause;
  const code = (error as { code?: string }).code ?? cause?.code;
  return (code !== undefined && NETWORK_CODES.has(code)) || (error instanceof TypeError && error.message === 'fetch failed');
}

/**
 * Errors worth another try on a fresh upload URL, as B2's integration checklist lists them
 * ("call b2_get_upload_url ... and re-attempt the upload using the new URL": no connection,
 * a broken or timed-out connection, 408, 500-599), plus 401 expired_auth_token (or a token
 * the pod no longer knows) and 400 auth_token_limit (the URL is still busy, e.g. with an
 * upload the client gave up on): nothing was stored, and another URL is free. Only the plugin
 * can fetch a new URL, so this retry stays in the plugin, bounded by UPLOAD_ATTEMPTS.
 *
 * Not 429: "B2 may limit API requests on a per-account basis" (Retry-After on any API), so a
 * throttle goes up as a 'throttled' ProviderError to the kernel, whose pacer holds every
 * transfer of the run; retrying it here would let the other transfers carry on at full speed.
 */
export function isRetryableUploadError(error: unknown): boolean {
  if (isNetworkError(error)) return true;
  if (!(error instanceof B2ApiError)) return false;
  if (error.status === 400 && error.code === 'auth_token_limit') return true;
  return (error.status === 401 && (error.code === 'expired_auth_token' || error.code === 'bad_auth_token')) || error.status === 408 || error.status >= 500;
}

/**
 * A failure after which the upload may have been stored all the same: the connection broke
 * (the answer may be what was lost), or B2 answered 408 or 5xx. Refusals (400, 401, 403,
 * 429) mean nothing was stored.
 */
export function answerMayBeLost(error: unknown): boolean {
  if (isNetworkError(error)) return true;
  return error instanceof B2ApiError && (error.status === 408 || error.status >= 500);
}

/** Caps are the account's, not the key's: say which setting to change. */
const CAP_HINT = 'the storage or transaction cap set for this B2 account is reached: raise it (Caps & Alerts in the B2 web UI) or free space';
const HINT_BY_CODE: Record<string, string> = { cap_exceeded: CAP_HINT, storage_cap_exceeded: CAP_HINT, transaction_cap_exceeded: CAP_HINT };

const HINT: Partial<Record<ProviderErrorKind, string>> = {
  auth: 'check keyId and applicationKey (the application key may have been deleted or expired)',
  permission: 'the application key lacks a capability or is restricted to another bucket or prefix',
};

/**
 * Turns B2 answers and network failures into ProviderErrors the engine acts on. Abort
 * errors and ProviderErrors pass through. Known secrets (the application key, tokens) are
 * scrubbed from every message.
 */
export class B2ErrorMapper {
  private readonly secrets = new Set<string>();

  constructor(secrets: readonly string[]) {
    for (const s of secrets) this.addSecret(s);
  }

  addSecret(secret: string): void {
    if (secret.length >= 4) this.secrets.add(secret);
  }

  map(error: unknown, what: string): unknown {
    if (isProviderError(error)) return error;
    if (error instanceof Error && error.name === 'AbortError') return error;
    if (error instanceof B2ApiError) {
      const kind = kindOfB2Error(error);
      const hintText = HINT_BY_CODE[error.code] ?? HINT[kind];
      const hint = hintText ? `; ${hintText}` : '';
      return new ProviderError(kind, this.scrub(`b2 ${what}: ${error.code} (HTTP ${error.status}): ${error.message}${hint}`), {
        cause: error,
        ...((kind === 'transient' || kind === 'throttled') && error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
      });
    }
    if (isNetworkError(error)) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      return new ProviderError('transient', this.scrub(`b2 ${what}: ${cause?.code ?? 'network error'}${cause?.message ? `: ${cause.message}` : ''}`), { cause: error });
    }
    return error;
  }

  async run<T>(what: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw this.map(error, what);
    }
  }

  scrub(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join('***');
    return out;
  }
}

/** The B2 error code behind a (mapped) error, if it came from a B2 answer. */
export function b2CodeOf(error: unknown): string | undefined {
  if (error instanceof B2ApiError) return error.code;
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  return cause instanceof B2ApiError ? cause.code : undefined;
}
