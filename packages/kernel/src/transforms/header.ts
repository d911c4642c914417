import { createHash } from 'node:crypto';

/**
 * The stored-object header (format version 1). Layout, all integers big-endian; see README.md:
 *
 *   offset size  field
 *        0    8  magic 89 4E 49 4D 42 55 53 0A ("\x89NIMBUS\n": high bit and newline catch
 *                text-mode mangling, as PNG does)
 *        8    1  format version = 1
 *        9    1  flags: bit 0 = Brotli-compressed, bit 1 = encrypted; other bits must be 0
 *   -- only when encrypted --
 *       10    1  KDF id = 1 (scrypt)
 *       11    1  scrypt log2(N)
 *       12    1  scrypt r
 *       13    1  scrypt p
 *       14    1  log2(chunk size) (16 = 64 KiB)
 *       15   16  scrypt salt (per run: the master key is derived once per run)
 *       31   16  file salt (random per object: HKDF salt for the object's keys)
 *       47    8  nonce prefix (random per object)
 *       55   16  key check: HMAC-SHA-256(check key, "nimbus key check v1")[0..16]
 *   -- always --
 *   end-8    8  checksum: SHA-256(all previous header bytes)[0..8]
 *
 * The checksum is not a MAC (anyone can recompute it); it lets a damaged header be reported
 * as damage rather than as a wrong password. Integrity against an attacker comes from the
 * whole header being bound into every chunk's GCM tag as associated data.
 */

export const MAGIC = Buffer.from([0x89, 0x4e, 0x49, 0x4d, 0x42, 0x55, 0x53, 0x0a]);
export const FORMAT_VERSION = 1;
export const FLAG_COMPRESSED = 0b01;
export const FLAG_ENCRYPTED = 0b10;
export const KDF_SCRYPT = 1;

/** Bytes before the flags tell how long the rest of the header is. */
export const FIXED_PREFIX_LENGTH = 10;
export const CHECKSUM_LENGTH = 8;
export const SALT_LENGTH = 16;
export const NONCE_PREFIX_LENGTH = 8;
export const KEY_CHECK_LENGTH = 16;
export const PLAIN_HEADER_LENGTH = FIXED_PREFIX_LENGTH + CHECKSUM_LENGTH;
export const ENCRYPTED_HEADER_LENGTH = FIXED_PREFIX_LENGTH + 5 + SALT_LENGTH * 2 + NONCE_PREFIX_LENGTH + KEY_CHECK_LENGTH + CHECKSUM_LENGTH;
/** Read this many leading bytes of an object to be sure of holding its whole header. */
export const HEADER_PROBE_LENGTH = ENCRYPTED_HEADER_LENGTH;

export interface ScryptParams {
  readonly log2N: number;
  readonly r: number;
  readonly p: number;
}

export interface EncryptionHeaderFields {
  readonly scrypt: ScryptParams;
  readonly chunkSizeLog2: number;
  readonly scryptSalt: Buffer;
  readonly fileSalt: Buffer;
  readonly noncePrefix: Buffer;
  readonly keyCheck: Buffer;
}

export interface HeaderFields {
  readonly compressed: boolean;
  readonly encryption?: EncryptionHeaderFields;
}

export interface ParsedHeader extends HeaderFields {
  /** The exact header bytes (bound into every chunk as associated data). */
  readonly bytes: Buffer;
}

function checksum(bytes: Buffer): Buffer {
  return createHash('sha256').update(bytes).digest().subarray(0, CHECKSUM_LENGTH);
}

export function headerLength(flags: number): number {
  return flags & FLAG_ENCRYPTED ? ENCRYPTED_HEADER_LENGTH : PLAIN_HEADER_LENGTH;
}

export function encodeHeader(fields: HeaderFields): Buffer {
  const flags = (fields.compressed ? FLAG_COMPRESSED : 0) | (fields.encryption ? FLAG_ENCRYPTED : 0);
  const parts: Buffer[] = [MAGIC, Buffer.from([FORMAT_VERSION, flags])];
  const e = fields.encryption;
  if (e) {
    parts.push(Buffer.from([KDF_SCRYPT, e.scrypt.log2N, e.scrypt.r, e.scrypt.p, e.chunkSizeLog2]));
    parts.push(e.scryptSalt, e.fileSalt, e.noncePrefix, e.keyCheck);
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([body, checksum(body)]);
}

/** Why a header was refused: the caller turns this into a labelled error. */
export type HeaderProblem =
  | { readonly problem: 'not-a-header' }
  | { readonly problem: 'too-short' }
  | { readonly problem: 'damaged'; readonly detail: string }
  | { readonly problem: 'unsupported'; readonly detail: string };

/** True when `bytes` begins like a header (compares only the bytes given). */
export function startsLikeHeader(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, MAGIC.length);
  return MAGIC.subarray(0, n).equals(bytes.subarray(0, n));
}

/**
 * Parse the header at the start of `bytes`. Needs the whole header; says 'too-short'
 * when more bytes could still make it valid.
 */
export function parseHeader(bytes: Buffer): ParsedHeader | HeaderProblem {
  if (!startsLikeHeader(bytes)) return { problem: 'not-a-header' };
  if (bytes.length < FIXED_PREFIX_LENGTH) return { problem: 'too-short' };
  // A later version may lay the rest out differently, so the version is judged first.
  const version = bytes[8]!;
  if (version !== FORMAT_VERSION) return { problem: 'unsupported', detail: `format version ${version}` };
  const flags = bytes[9]!;
  if (flags & ~(FLAG_COMPRESSED | FLAG_ENCRYPTED)) return { problem: 'damaged', detail: 'unknown header flags' };
  const length = headerLength(flags);
  if (bytes.length < length) return { problem: 'too-short' };
  const header = bytes.subarray(0, length);
  const body = header.subarray(0, length - CHECKSUM_LENGTH);
  if (!checksum(body).equals(header.subarray(length - CHECKSUM_LENGTH))) {
    return { problem: 'damaged', detail: 'header checksum mismatch' };
  }
  const compressed = (flags & FLAG_COMPRESSED) !== 0;
  if (!(flags & FLAG_ENCRYPTED)) return { compressed, bytes: Buffer.from(header) };
  const kdf = header[10]!;
  if (kdf !== KDF_SCRYPT) return { problem: 'unsupported', detail: `key derivation ${kdf}` };
  let at = 15;
  const take = (n: number) => Buffer.from(header.subarray(at, (at += n)));
  return {
    compressed,
    bytes: Buffer.from(header),
    encryption: {
      scrypt: { log2N: header[11]!, r: header[12]!, p: header[13]! },
      chunkSizeLog2: header[14]!,
      scryptSalt: take(SALT_LENGTH),
      fileSalt: take(SALT_LENGTH),
      noncePrefix: take(NONCE_PREFIX_LENGTH),
      keyCheck: take(KEY_CHECK_LENGTH),
    },
  };
}

export function isHeaderProblem(value: ParsedHeader | HeaderProblem): value is HeaderProblem {
  return 'problem' in value;
}
