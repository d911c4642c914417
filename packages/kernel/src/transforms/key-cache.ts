import { createHash, createHmac, hkdfSync, randomBytes, scrypt } from 'node:crypto';
import { SALT_LENGTH, KEY_CHECK_LENGTH, type ScryptParams } from './header.js';

/**
 * Default scrypt cost for new objects: N = 2^17, r = 8, p = 1 needs 128 MiB and takes
 * ~0.5-1.5 s here. That is paid once per run (not per file), so it can be high: a
 * password guess costs an attacker the same.
 */
export const DEFAULT_SCRYPT: ScryptParams = { log2N: 17, r: 8, p: 1 };

/** Weakest cost accepted for new objects. */
const MIN_ENCODE_LOG2N = 15;
/**
 * Limits on what a header may ask for when decoding: the header is untrusted input, and a
 * forged N = 2^30 must not exhaust memory. 256 MiB covers N = 2^18 with r = 8.
 */
const MAX_SCRYPT_MEMORY = 256 * 1024 * 1024;
const LOG2N_RANGE = [10, 22] as const;
const MAX_R = 32;
const MAX_P = 16;

/** The memory scrypt uses, as OpenSSL counts it (128·N·r plus 128·r·p for the B array). */
function scryptMemory(params: ScryptParams): number {
  return 128 * 2 ** params.log2N * params.r + 128 * params.r * params.p;
}

/** Why these parameters are refused, or undefined when they are fine. */
export function scryptParamsProblem(params: ScryptParams): string | undefined {
  const { log2N, r, p } = params;
  if (!Number.isInteger(log2N) || log2N < LOG2N_RANGE[0] || log2N > LOG2N_RANGE[1]) return `scrypt log2(N) ${log2N}`;
  if (!Number.isInteger(r) || r < 1 || r > MAX_R) return `scrypt r ${r}`;
  if (!Number.isInteger(p) || p < 1 || p > MAX_P) return `scrypt p ${p}`;
  if (scryptMemory(params) > MAX_SCRYPT_MEMORY) return `scrypt memory ${Math.round(scryptMemory(params) / 2 ** 20)} MiB`;
  return undefined;
}

/** Derive a 32-byte master key from a password (slow on purpose). */
export function deriveMasterKey(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const maxmem = scryptMemory(params) + 1024 * 1024;
    scrypt(password.normalize('NFC'), salt, 32, { N: 2 ** params.log2N, r: params.r, p: params.p, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export interface FileKeys {
  /** AES-256-GCM key for this object's chunks. */
  readonly key: Buffer;
  /** Stored in the header so a wrong password is told apart from damage. */
  readonly keyCheck: Buffer;
}

const HKDF_INFO_KEY = Buffer.from('nimbus stored format v1: chunk key');
const HKDF_INFO_CHECK = Buffer.from('nimbus stored format v1: key check');
const KEY_CHECK_MESSAGE = Buffer.from('nimbus key check v1');

/** Per-object keys: HKDF-SHA-256 of the master key with the object's random salt (cheap). */
export function deriveFileKeys(master: Buffer, fileSalt: Buffer): FileKeys {
  const key = Buffer.from(hkdfSync('sha256', master, fileSalt, HKDF_INFO_KEY, 32));
  const checkKey = Buffer.from(hkdfSync('sha256', master, fileSalt, HKDF_INFO_CHECK, 32));
  const keyCheck = createHmac('sha256', checkKey).update(KEY_CHECK_MESSAGE).digest().subarray(0, KEY_CHECK_LENGTH);
  return { key, keyCheck: Buffer.from(keyCheck) };
}

export interface EncryptionMaster {
  readonly scrypt: ScryptParams;
  readonly scryptSalt: Buffer;
  readonly master: Buffer;
}

export interface KeyCacheOptions {
  /** scrypt cost for new objects (default DEFAULT_SCRYPT; log2N at least 15). */
  readonly scrypt?: ScryptParams;
  /** Source of salts and nonce prefixes; tests inject a deterministic one. */
  readonly randomBytes?: (size: number) => Buffer;
}

/**
 * Master keys derived from passwords, each (password, scrypt salt, cost) pair once.
 * One cache per run: encoding picks one random scrypt salt per password for the whole
 * run, so a run pays scrypt once; decoding derives once per salt it meets (one per
 * backup run that wrote the objects). Derivations run one at a time so that scrypt's
 * memory (128 MiB by default) is never needed twice over.
 */
export class KeyCache {
  readonly scrypt: ScryptParams;
  readonly randomBytes: (size: number) => Buffer;
  private readonly masters = new Map<string, Promise<Buffer>>();
  private readonly encoding = new Map<string, Promise<EncryptionMaster>>();
  private queue: Promise<unknown> = Promise.resolve();
  private derived = 0;

  constructor(options: KeyCacheOptions = {}) {
    this.scrypt = options.scrypt ?? DEFAULT_SCRYPT;
    const problem = scryptParamsProblem(this.scrypt);
    if (problem || this.scrypt.log2N < MIN_ENCODE_LOG2N) {
      throw new RangeError(`scrypt cost too ${problem ? 'unusual' : 'low'} for new objects (${problem ?? `log2(N) ${this.scrypt.log2N} < ${MIN_ENCODE_LOG2N}`})`);
    }
    this.randomBytes = options.randomBytes ?? randomBytes;
  }

  /** How many scrypt derivations this cache has run (a run should show one per password). */
  get derivations(): number {
    return this.derived;
  }

  /** The master key new objects encrypted with `password` use during this run. */
  encryptionMaster(password: string): Promise<EncryptionMaster> {
    const id = this.identity(password, Buffer.alloc(0), this.scrypt);
    let entry = this.encoding.get(id);
    if (!entry) {
      const scryptSalt = this.randomBytes(SALT_LENGTH);
      const params = this.scrypt;
      entry = this.masterKey(password, scryptSalt, params).then((master) => ({ scrypt: params, scryptSalt, master }));
      this.encoding.set(id, entry);
    }
    return entry;
  }

  /** The master key for `password` under a stored salt and cost, derived once. */
  masterKey(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
    const id = this.identity(password, salt, params);
    let entry = this.masters.get(id);
    if (!entry) {
      const run = this.queue.then(() => {
        this.derived++;
        return deriveMasterKey(password, salt, params);
      });
      this.queue = run.catch(() => undefined);
      entry = run;
      // A failed derivation is not cached: the next caller tries again.
      entry.catch(() => this.masters.delete(id));
      this.masters.set(id, entry);
    }
    return entry;
  }

  /** Forget every key (and wipe the buffers) at the end of a run. */
  async clear(): Promise<void> {
    const all = [...this.masters.values()];
    this.masters.clear();
    this.encoding.clear();
    for (const entry of all) (await entry.catch(() => undefined))?.fill(0);
  }

  /** Map key for a (password, salt, cost) triple that does not keep the password readable. */
  private identity(password: string, salt: Buffer, params: ScryptParams): string {
    return createHash('sha256')
      .update(`${params.log2N}/${params.r}/${params.p}/${salt.toString('hex')}/`)
      .update(password.normalize('NFC'))
      .digest('base64');
  }
}
