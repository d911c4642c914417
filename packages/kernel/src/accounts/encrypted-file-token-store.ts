import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors/nimbus-error.js';
import type { AccountSecrets } from './account-secrets.js';
import { writeFileAtomic } from './atomic-file.js';
import type { TokenStore } from './token-store.js';

/** The passphrase (or machine key) the file store's key is derived from; asked only when a secret is read or written. */
export type StoreKeyMaterial = () => Promise<string>;

/** scrypt cost: about 0.1 s once per process and file salt, so guessing a passphrase offline is slow. */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

interface SealedFile {
  readonly version: 1;
  readonly cipher: 'aes-256-gcm';
  readonly kdf: 'scrypt';
  readonly salt: string;
  readonly iv: string;
  readonly tag: string;
  readonly data: string;
}

/**
 * Secrets in one file per account, `<dir>/<account>.sealed`, mode 0600: AES-256-GCM with a
 * key derived by scrypt from a passphrase (environment or prompt) or a machine key file. The
 * account name is bound as associated data, so one account's file cannot stand in for another's.
 */
export class EncryptedFileTokenStore implements TokenStore {
  readonly kind = 'file' as const;
  readonly description: string;
  private readonly keys = new Map<string, Promise<Buffer>>();
  private material?: Promise<string>;

  /** `why`: said after the description, e.g. that no keychain answered. */
  constructor(readonly dir: string, private readonly keyMaterial: StoreKeyMaterial, why?: string) {
    this.description = `encrypted file (AES-256-GCM) in ${dir}${why ? ` (${why})` : ''}`;
  }

  private fileOf(account: string): string {
    return join(this.dir, `${account}.sealed`);
  }

  private keyFor(salt: Buffer): Promise<Buffer> {
    const id = salt.toString('hex');
    let key = this.keys.get(id);
    if (!key) {
      this.material ??= this.keyMaterial();
      const material = this.material;
      key = material.then((secret) => new Promise<Buffer>((resolve, reject) => {
        scrypt(secret, salt, 32, SCRYPT, (error, derived) => (error ? reject(error) : resolve(derived)));
      }));
      // A failed prompt must be asked again next time, not remembered.
      key.catch(() => {
        this.keys.delete(id);
        this.material = undefined;
      });
      this.keys.set(id, key);
    }
    return key;
  }

  async read(account: string): Promise<AccountSecrets | undefined> {
    const sealed = await this.readSealed(account);
    if (!sealed) return undefined;
    const key = await this.keyFor(Buffer.from(sealed.salt, 'base64'));
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
      decipher.setAAD(Buffer.from(account));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      const plain = Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as AccountSecrets;
    } catch {
      throw new UserError(`cannot open the token store for account "${account}": the passphrase (or key file) is not the one it was saved with`);
    }
  }

  async write(account: string, secrets: AccountSecrets): Promise<void> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    // Keep the file's salt: the derived key stays cached across token rotations.
    const previous = await this.readSealed(account);
    const salt = previous ? Buffer.from(previous.salt, 'base64') : randomBytes(16);
    const key = await this.keyFor(salt);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(account));
    const data = Buffer.concat([cipher.update(JSON.stringify(secrets), 'utf8'), cipher.final()]);
    const sealed: SealedFile = {
      version: 1,
      cipher: 'aes-256-gcm',
      kdf: 'scrypt',
      salt: salt.toString('base64'),
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    };
    await writeFileAtomic(this.fileOf(account), `${JSON.stringify(sealed)}\n`, 0o600);
  }

  async unlock(): Promise<void> {
    this.material ??= this.keyMaterial();
    try {
      await this.material;
    } catch (error) {
      this.material = undefined;
      throw error;
    }
  }

  async remove(account: string): Promise<void> {
    await rm(this.fileOf(account), { force: true });
  }

  private async readSealed(account: string): Promise<SealedFile | undefined> {
    try {
      return JSON.parse(await readFile(this.fileOf(account), 'utf8')) as SealedFile;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new UserError(`the token file of account "${account}" in ${this.dir} is damaged: run nimbus account reconnect ${account}`);
    }
  }
}
