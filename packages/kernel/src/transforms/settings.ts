import { z } from 'zod';
import { sealedSize } from './chunked-aead.js';
import { ENCRYPTED_HEADER_LENGTH } from './header.js';

/**
 * Brotli quality: 0 fastest .. 11 smallest. 4 runs at ~50-100 MB/s on this 2-core machine
 * and already beats gzip -9 on size; 10-11 are for archives written once (~1 MB/s).
 */
export const DEFAULT_COMPRESSION_LEVEL = 4;
const LEVEL_MESSAGE = 'use a compression level from 0 (fastest) to 11 (smallest)';

/** How a profile stores file contents at its destination. */
export interface TransformSettings {
  /** Brotli-compress the contents before encryption (true = level 4; levels 0..11). */
  readonly compress: boolean | { readonly level: number };
  /** Encrypt the contents with a key derived from this password. */
  readonly encrypt?: { readonly password: string };
}

/**
 * Suggested profile block (the lead wires it into the profile schema). `password` is a
 * secret field: list it in the profile's secret fields so it is never printed.
 */
export const transformSettingsSchema = z.strictObject({
  compress: z.union([z.boolean(), z.strictObject({ level: z.int().min(0, LEVEL_MESSAGE).max(11, LEVEL_MESSAGE) })]).default(false),
  encrypt: z.strictObject({ password: z.string().min(1, 'give a non-empty encryption password') }).optional(),
});

/** The two flags the cloud database records per file. */
export interface StoredFlags {
  readonly compressed: boolean;
  readonly encrypted: boolean;
}

export function storedFlags(settings: TransformSettings): StoredFlags {
  return { compressed: settings.compress !== false, encrypted: settings.encrypt !== undefined };
}

/** True when stored bytes are the original bytes (no header, nothing to decode). */
export function isIdentity(settings: TransformSettings): boolean {
  const flags = storedFlags(settings);
  return !flags.compressed && !flags.encrypted;
}

export function compressionLevel(settings: TransformSettings): number | undefined {
  if (settings.compress === false) return undefined;
  const level = settings.compress === true ? DEFAULT_COMPRESSION_LEVEL : settings.compress.level;
  if (!Number.isInteger(level) || level < 0 || level > 11) throw new RangeError(`compression level ${level}: ${LEVEL_MESSAGE}`);
  return level;
}

/**
 * Size of the stored object for an original of `originalSize` bytes, when it can be known
 * before writing: always without compression, never with it (compressed size depends on
 * the content). Providers that want an exact `size` up front get it when this is defined.
 */
export function transformedSize(settings: TransformSettings, originalSize: number, chunkSizeLog2 = 16): number | undefined {
  const flags = storedFlags(settings);
  if (flags.compressed) return undefined;
  if (!flags.encrypted) return originalSize;
  return ENCRYPTED_HEADER_LENGTH + sealedSize(originalSize, 2 ** chunkSizeLog2);
}

/** What a restore knows when it opens a stored object. */
export interface DecodeSettings {
  /** The profile's encryption password; an encrypted object without it fails with PasswordRequiredError. */
  readonly password?: string;
  /**
   * What the caller's records say the object is:
   * - 'encrypted': it was backed up encrypted; an object without an encrypted header is
   *   refused as tampered (someone swapping in plaintext must not be trusted).
   * - 'transformed' (default): it has a header (compressed and/or encrypted).
   * - 'auto': nothing is known (database rebuilt from a listing): objects with a valid
   *   header are decoded, anything else passes through unchanged.
   */
  readonly expect?: 'encrypted' | 'transformed' | 'auto';
  /** Names the object in error messages, e.g. its path. */
  readonly label?: string;
}

/** The expectation that matches the flags a file record carries (undefined: stored as is, do not decode). */
export function expectationFor(flags: StoredFlags): DecodeSettings['expect'] | undefined {
  if (flags.encrypted) return 'encrypted';
  if (flags.compressed) return 'transformed';
  return undefined;
}
