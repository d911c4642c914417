import { ProviderError, type ProviderErrorKind } from '@nimbus/kernel/plugin';

const KIND_BY_CODE: Record<string, ProviderErrorKind> = {
  ENOENT: 'not-found',
  ENOTDIR: 'not-found',
  EACCES: 'permission',
  EPERM: 'permission',
  EROFS: 'permission',
  ENOSPC: 'invalid',
  EDQUOT: 'invalid',
  EFBIG: 'invalid',
  ENAMETOOLONG: 'invalid',
  EINVAL: 'invalid',
  EISDIR: 'conflict',
  EEXIST: 'conflict',
  ENOTEMPTY: 'conflict',
  EBUSY: 'transient',
  EAGAIN: 'transient',
  EMFILE: 'transient',
  ENFILE: 'transient',
  EIO: 'transient',
};

/** Whether an error comes from a file-system call (rather than, say, the caller's body stream). */
export function isFsError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && 'syscall' in error;
}

export function hasCode(error: unknown, ...codes: string[]): boolean {
  return isFsError(error) && codes.includes(error.code!);
}

/**
 * Classify a file-system error so the engine can act on it (retry, skip, report).
 * Anything else (an abort, the body stream's own failure, a ProviderError) is returned
 * unchanged: it is not this provider's to reinterpret.
 */
export function toProviderError(error: unknown, path: string): unknown {
  if (!isFsError(error)) return error;
  const kind = KIND_BY_CODE[error.code!] ?? 'unknown';
  return new ProviderError(kind, `"${path}": ${error.code} (${error.syscall})`, { cause: error });
}
