import { parseRetryAfter, ProviderError, type ProviderErrorKind } from '@nimbus/kernel/plugin';

/** The ProviderError kind for a Swift/Identity HTTP status. */
export function kindForStatus(status: number): ProviderErrorKind {
  if (status === 401) return 'auth';
  if (status === 403) return 'permission';
  if (status === 404) return 'not-found';
  if (status === 409 || status === 412) return 'conflict';
  // 429, and 498 from Swift's ratelimit middleware ("Slow down"): the account is being throttled.
  if (status === 429 || status === 498) return 'throttled';
  // 422: the ETag we sent did not match what arrived (damaged in transit): send again.
  if (status === 408 || status === 422 || status >= 500) return 'transient';
  if (status === 400 || status === 411 || status === 413 || status === 414 || status === 416) return 'invalid';
  return 'unknown';
}


/** A ProviderError for a failed response. `what` names the operation and object, never a token. */
export function statusError(status: number, what: string, detail: string, retryAfterHeader?: string): ProviderError {
  const text = detail.replace(/\s+/g, ' ').trim().slice(0, 200);
  const seconds = parseRetryAfter(retryAfterHeader);
  return new ProviderError(kindForStatus(status), `${what}: HTTP ${status}${text ? ` (${text})` : ''}`, seconds !== undefined ? { retryAfterSeconds: seconds } : {});
}

const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED', 'UND_ERR_SOCKET']);

/** A network failure (reset, refused, timeout) as a transient ProviderError; anything else unchanged. */
export function networkError(error: unknown, what: string): unknown {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code && TRANSIENT_CODES.has(code)) return new ProviderError('transient', `${what}: ${code}`, { cause: error });
  if ((error as Error)?.message === 'socket hang up') return new ProviderError('transient', `${what}: connection closed by the server`, { cause: error });
  return error;
}
