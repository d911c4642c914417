import { timingSafeEqual } from 'node:crypto';
import { isHeaderProblem, parseHeader, type ScryptParams } from './header.js';
import { deriveFileKeys, scryptParamsProblem, type KeyCache } from './key-cache.js';
import type { StoredFlags } from './settings.js';

export interface StoredHeaderInfo extends StoredFlags {
  /** Bytes of header before the body. */
  readonly headerLength: number;
  /** scrypt cost the object's key was derived with (encrypted objects). */
  readonly scrypt?: ScryptParams;
  /** Chunk size of the encrypted body (encrypted objects). */
  readonly chunkSize?: number;
}

/**
 * What the leading bytes of a stored object say, or undefined when they are not a valid
 * stored-format header (wrong magic, unknown version, bad checksum, or fewer bytes than
 * the header needs). Pass HEADER_PROBE_LENGTH bytes (or the whole object if shorter).
 */
export function inspectHeader(head: Uint8Array): StoredHeaderInfo | undefined {
  const parsed = parseHeader(Buffer.from(head.buffer, head.byteOffset, head.byteLength));
  if (isHeaderProblem(parsed)) return undefined;
  const e = parsed.encryption;
  return {
    compressed: parsed.compressed,
    encrypted: e !== undefined,
    headerLength: parsed.bytes.length,
    ...(e ? { scrypt: e.scrypt, chunkSize: 2 ** e.chunkSizeLog2 } : {}),
  };
}

/**
 * True when `head` starts with a valid stored-format header. A hint for objects the
 * database knows nothing about; the database's compressed/encrypted flags are authoritative
 * (an original file may itself be a Nimbus object).
 */
export function isTransformed(head: Uint8Array): boolean {
  return inspectHeader(head) !== undefined;
}

/**
 * Check a password against one object's header without reading its body: lets a restore
 * stop at once with one "wrong password" line instead of failing every file. Resolves
 * false for a wrong password, true for a right one, undefined when `head` is not an
 * encrypted header this version can check.
 */
export async function checkPassword(head: Uint8Array, password: string, keyCache: KeyCache): Promise<boolean | undefined> {
  const parsed = parseHeader(Buffer.from(head.buffer, head.byteOffset, head.byteLength));
  if (isHeaderProblem(parsed) || !parsed.encryption || scryptParamsProblem(parsed.encryption.scrypt)) return undefined;
  const e = parsed.encryption;
  const master = await keyCache.masterKey(password, e.scryptSalt, e.scrypt);
  return timingSafeEqual(deriveFileKeys(master, e.fileSalt).keyCheck, e.keyCheck);
}
