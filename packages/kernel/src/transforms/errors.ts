/**
 * Errors raised while decoding stored bytes. Messages are one line, name the object
 * (the caller's label, e.g. its path) and never contain a password, key or salt.
 */

/** What went wrong, for callers that branch without `instanceof` (several kernel copies may be loaded). */
export type StoredFormatErrorKind = 'wrong-password' | 'password-required' | 'tampered' | 'unsupported';

/** Brand shared by every copy of the kernel a process may load. */
const STORED_FORMAT_ERROR = Symbol.for('nimbus.StoredFormatError');

export class StoredFormatError extends Error {
  constructor(
    readonly kind: StoredFormatErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
    Object.defineProperty(this, STORED_FORMAT_ERROR, { value: true });
  }
}

/** The password does not open this object (checked against the key-check value in its header). */
export class WrongPasswordError extends StoredFormatError {
  constructor(label: string) {
    super('wrong-password', `wrong password for ${label}: the encryption password does not match the one it was backed up with`);
  }
}

/** The object is encrypted but no password was given. */
export class PasswordRequiredError extends StoredFormatError {
  constructor(label: string) {
    super('password-required', `${label} is encrypted; set the profile's encryption password to restore it`);
  }
}

/** Authentication failed, the object is cut short or extended, or its header is damaged. */
export class TamperedError extends StoredFormatError {
  constructor(label: string, detail: string, options?: { cause?: unknown }) {
    super('tampered', `${label} is damaged or was tampered with (${detail}); it was not restored`, options);
  }
}

/** Written by a newer Nimbus, or with parameters this version refuses (e.g. absurd KDF cost). */
export class UnsupportedFormatError extends StoredFormatError {
  constructor(label: string, detail: string) {
    super('unsupported', `${label} uses a stored format this Nimbus cannot read (${detail}); upgrade Nimbus`);
  }
}

/** True for any StoredFormatError, even one from another copy of the kernel. */
export function isStoredFormatError(error: unknown, kind?: StoredFormatErrorKind): error is StoredFormatError {
  const branded = typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[STORED_FORMAT_ERROR] === true;
  return branded && (kind === undefined || (error as StoredFormatError).kind === kind);
}
