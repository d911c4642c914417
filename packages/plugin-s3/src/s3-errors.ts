import { isProviderError, parseRetryAfter, ProviderError, type ProviderErrorKind } from '@nimbus/kernel/plugin';

const KIND_BY_CODE: Record<string, ProviderErrorKind> = {
  InvalidAccessKeyId: 'auth',
  SignatureDoesNotMatch: 'auth',
  ExpiredToken: 'auth',
  InvalidToken: 'auth',
  TokenRefreshRequired: 'auth',
  CredentialsProviderError: 'auth',
  AccessDenied: 'permission',
  AllAccessDisabled: 'permission',
  AccountProblem: 'permission',
  NoSuchKey: 'not-found',
  NotFound: 'not-found',
  NoSuchBucket: 'not-found',
  NoSuchUpload: 'not-found',
  NoSuchVersion: 'not-found',
  InvalidObjectState: 'archived',
  // "SlowDown ... Please reduce your request rate" (503), and the throttling codes of AWS's shared error set.
  SlowDown: 'throttled',
  Throttling: 'throttled',
  ThrottlingException: 'throttled',
  RequestLimitExceeded: 'throttled',
  TooManyRequests: 'throttled',
  TooManyRequestsException: 'throttled',
  InternalError: 'transient',
  ServiceUnavailable: 'transient',
  RequestTimeout: 'transient',
  TimeoutError: 'transient',
  RequestTimeoutException: 'transient',
  ECONNRESET: 'transient',
  ECONNREFUSED: 'transient',
  EPIPE: 'transient',
  ETIMEDOUT: 'transient',
  EAI_AGAIN: 'transient',
  EHOSTUNREACH: 'transient',
  ENETUNREACH: 'transient',
  BucketAlreadyExists: 'conflict',
  BucketAlreadyOwnedByYou: 'conflict',
  BucketNotEmpty: 'conflict',
  PreconditionFailed: 'conflict',
  OperationAborted: 'conflict',
  RestoreAlreadyInProgress: 'conflict',
  EntityTooLarge: 'invalid',
  EntityTooSmall: 'invalid',
  InvalidArgument: 'invalid',
  InvalidBucketName: 'invalid',
  InvalidStorageClass: 'invalid',
  InvalidRequest: 'invalid',
  InvalidRange: 'invalid',
  InvalidPart: 'invalid',
  InvalidPartOrder: 'invalid',
  KeyTooLongError: 'invalid',
  MalformedXML: 'invalid',
  BadDigest: 'transient',
  IncompleteBody: 'transient',
  RequestTimeTooSkewed: 'auth',
};

const HINT_BY_KIND: Partial<Record<ProviderErrorKind, string>> = {
  auth: 'check accessKeyId/secretAccessKey (or the AWS profile/environment credentials) and the clock',
  permission: 'the credentials may not do this: check the bucket policy or IAM permissions',
};

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number; headers?: Record<string, string | undefined> };
}

/** The service's or the network's error code, and the HTTP status, of an SDK error. */
export function errorCodeOf(error: unknown): { code: string | undefined; status: number | undefined } {
  if (typeof error !== 'object' || error === null) return { code: undefined, status: undefined };
  const e = error as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  const code = e.Code ?? (typeof e.code === 'string' ? e.code : undefined) ?? e.name;
  return { code, status };
}

function kindOf(code: string | undefined, status: number | undefined): ProviderErrorKind {
  const byCode = code !== undefined ? KIND_BY_CODE[code] : undefined;
  if (byCode) return byCode;
  if (status === 404) return 'not-found';
  if (status === 403) return 'permission';
  if (status === 401) return 'auth';
  if (status === 429) return 'throttled';
  if (status === 408 || (status !== undefined && status >= 500)) return 'transient';
  if (status === 409 || status === 412) return 'conflict';
  if (status === 400 || status === 411 || status === 413 || status === 416) return 'invalid';
  return 'unknown';
}

function retryAfterOf(error: unknown): number | undefined {
  return parseRetryAfter((error as SdkErrorShape).$response?.headers?.['retry-after']);
}

/**
 * Turns SDK and network errors into ProviderErrors the engine can act on. Abort errors
 * and errors that are already ProviderErrors pass through; so do the caller's own body
 * stream errors (they are not this provider's to reinterpret). Known secrets are scrubbed
 * from every message.
 */
export class S3ErrorMapper {
  constructor(
    private readonly bucket: string,
    private readonly secrets: readonly string[],
  ) {}

  map(error: unknown, what: string): unknown {
    if (isProviderError(error)) return error;
    if (error instanceof Error && error.name === 'AbortError') return error;
    const { code, status } = errorCodeOf(error);
    if (code === undefined && status === undefined) return error;
    const kind = kindOf(code, status);
    const detail = code === 'NoSuchBucket' ? `bucket "${this.bucket}" does not exist` : `${code ?? 'error'}${status ? ` (HTTP ${status})` : ''}`;
    const serviceMessage = error instanceof Error && error.message && error.message !== code && !/^UnknownError$/.test(error.message) ? `: ${firstLine(error.message)}` : '';
    const hint = HINT_BY_KIND[kind] ? `; ${HINT_BY_KIND[kind]}` : '';
    const retryAfterSeconds = kind === 'transient' || kind === 'throttled' ? retryAfterOf(error) : undefined;
    return new ProviderError(kind, this.scrub(`s3 ${what}: ${detail}${serviceMessage}${hint}`), {
      cause: error,
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    });
  }

  /** Run `operation`, rethrowing its failure as a ProviderError. */
  async run<T>(what: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw this.map(error, what);
    }
  }

  scrub(text: string): string {
    let out = text;
    for (const secret of this.secrets) if (secret.length >= 4) out = out.split(secret).join('***');
    return out;
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
