/**
 * Stored-bytes transforms: how a profile's file contents are compressed and encrypted at
 * the destination. Format: see README.md in this folder.
 */
export { encodeStream } from './encode-stream.js';
export { decodeStream } from './decode-stream.js';
export { checkPassword, inspectHeader, isTransformed, type StoredHeaderInfo } from './inspect.js';
export { DEFAULT_SCRYPT, KeyCache, type KeyCacheOptions } from './key-cache.js';
export { HEADER_PROBE_LENGTH, type ScryptParams } from './header.js';
export {
  DEFAULT_COMPRESSION_LEVEL,
  expectationFor,
  isIdentity,
  storedFlags,
  transformedSize,
  transformSettingsSchema,
  type DecodeSettings,
  type StoredFlags,
  type TransformSettings,
} from './settings.js';
export {
  isStoredFormatError,
  PasswordRequiredError,
  StoredFormatError,
  TamperedError,
  UnsupportedFormatError,
  WrongPasswordError,
  type StoredFormatErrorKind,
} from './errors.js';
