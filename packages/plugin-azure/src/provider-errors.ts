import { parseRetryAfter, ProviderError, type ProviderErrorKind } from '@nimbus/kernel/plugin';

/** The parts of an @azure/core-rest-pipeline RestError this plugin looks at. */
interface RestErrorLike {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly statusCode?: number;
  readonly response?: { readonly headers?: { get(name: string): string | undefined } };
  readonly details?: unknown;
}

/** Azure's error code: from the error body, or from x-ms-error-code (HEAD answers have no body). */
function codeOf(error: RestErrorLike): string | undefined {
  const fromDetails = (error.details as { errorCode?: unknown } | undefined)?.errorCode;
  return error.code ?? (typeof fromDetails === 'string' ? fromDetails : undefined) ?? error.response?.headers?.get('x-ms-error-code') ?? undefined;
}

const AUTH_CODES = new Set(['AuthenticationFailed', 'AuthorizationFailure', 'InvalidAuthenticationInfo', 'NoAuthenticationInformation']);
const PERMISSION_CODES = new Set([
  'AuthorizationPermissionMismatch', 'AuthorizationResourceTypeMismatch', 'AuthorizationServiceMismatch',
  'AuthorizationProtocolMismatch', 'AuthorizationSourceIPMismatch', 'InsufficientAccountPermissions', 'AccountIsDisabled',
]);
/** "ServerBusy: The server is currently unable to receive requests" / "Ingress/Egress is over the account limit": the account is being throttled. */
const THROTTLED_CODES = new Set(['ServerBusy']);
const TRANSIENT_CODES = new Set(['OperationTimedOut', 'InternalError', 'REQUEST_SEND_ERROR', 'PARSE_ERROR', 'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED', 'UND_ERR_SOCKET']);
const INVALID_CODES = new Set(['InvalidResourceName', 'InvalidBlobOrBlock', 'InvalidMetadata', 'InvalidHeaderValue', 'OutOfRangeInput', 'RequestBodyTooLarge', 'InvalidRange', 'InvalidBlockList', 'InvalidBlobTier', 'InvalidUri', 'InvalidQueryParameterValue', 'Md5Mismatch', 'InvalidMd5']);

function isRestError(error: unknown): error is RestErrorLike {
  return error instanceof Error && ('statusCode' in error || 'code' in error) && error.name === 'RestError';
}

/** `sig=...` and the like never leave the plugin, even inside a service message. */
export function redactSecrets(text: string): string {
  return text
    .replace(/([?&;]?\b(?:sig|AccountKey|SharedAccessSignature)=)[^&;\s"']+/gi, '$1REDACTED')
    .replace(/(SharedKey(?:Lite)? [^:\s]+:)\S+/g, '$1REDACTED');
}

function retryAfterOf(error: RestErrorLike): number | undefined {
  return parseRetryAfter(error.response?.headers?.get('retry-after'));
}

function kindOf(status: number | undefined, code: string | undefined): ProviderErrorKind {
  if (code === 'BlobArchived') return 'archived';
  if (code && AUTH_CODES.has(code)) return 'auth';
  if (code && PERMISSION_CODES.has(code)) return 'permission';
  if (code && THROTTLED_CODES.has(code)) return 'throttled';
  if (code && TRANSIENT_CODES.has(code)) return 'transient';
  if (code && INVALID_CODES.has(code)) return 'invalid';
  if (status === 404) return 'not-found';
  if (status === 401) return 'auth';
  if (status === 403) return 'permission';
  if (status === 429) return 'throttled';
  if (status === 408 || (status !== undefined && status >= 500)) return 'transient';
  if (status === 409 || status === 412) return 'conflict';
  if (status === 400 || status === 411 || status === 413 || status === 414 || status === 416) return 'invalid';
  return 'unknown';
}

/** Where an error happened: the blob's path, or the container for container-wide failures. */
export interface ErrorSubject {
  readonly path?: string;
  readonly container: string;
}

/**
 * Classify an Azure SDK error as a ProviderError. The message names the path (or the
 * container), the HTTP status and Azure's error code, and never carries keys or SAS
 * signatures; the SDK error is not attached, since its request holds the signed URL.
 * Aborts and errors that are not the service's are returned unchanged.
 */
export function toProviderError(error: unknown, subject: ErrorSubject): unknown {
  if (error instanceof ProviderError || (error instanceof Error && error.name === 'AbortError')) return error;
  if (!isRestError(error)) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code && TRANSIENT_CODES.has(code)) return new ProviderError('transient', `${where(subject)}: connection failed (${code})`);
    return error;
  }
  const status = error.statusCode;
  const code = codeOf(error);
  const kind = kindOf(status, code);
  const detail = `${status ?? 'no response'}${code ? ` ${code}` : ''}`;
  let message: string;
  if (code === 'ContainerNotFound') message = `container "${subject.container}" does not exist (${detail}): create it or fix "container"`;
  else if (code === 'BlobArchived') message = `"${subject.path}" is in the Archive tier and must be rehydrated before it can be read (${detail})`;
  else if (kind === 'auth') message = `${where(subject)}: the service refused the credentials (${detail}): check the account key, connection string or SAS (and its expiry)`;
  else if (kind === 'permission') message = `${where(subject)}: the credentials may not do this (${detail}): check the key's or SAS's permissions`;
  else {
    const serviceMessage = redactSecrets(error.message.split('\n')[0] ?? '').trim();
    message = `${where(subject)}: ${detail}${serviceMessage && !serviceMessage.startsWith('<') ? ` (${serviceMessage})` : ''}`;
  }
  const retryAfterSeconds = kind === 'transient' || kind === 'throttled' ? retryAfterOf(error) : undefined;
  return new ProviderError(kind, message, retryAfterSeconds !== undefined ? { retryAfterSeconds } : {});
}

function where(subject: ErrorSubject): string {
  return subject.path !== undefined ? `"${subject.path}"` : `container "${subject.container}"`;
}

/** Whether an SDK error is "this does not exist" (blob or container). */
export function isNotFound(error: unknown): boolean {
  return isRestError(error) && error.statusCode === 404;
}

export function errorCodeOf(error: unknown): string | undefined {
  return isRestError(error) ? codeOf(error) : undefined;
}
