import { createHash, randomBytes } from 'node:crypto';
import { badRequest, B2WireError, compareNames, type B2FileJson } from './b2-wire.js';

export interface B2Bucket {
  readonly accountId: string;
  readonly bucketId: string;
  readonly bucketName: string;
  readonly bucketType: string;
  readonly revision: number;
}

/** One version of one file: an upload (content) or a hide marker. */
export interface StoredVersion {
  readonly fileId: string;
  readonly bucketId: string;
  readonly fileName: string;
  readonly action: 'upload' | 'hide';
  readonly data: Buffer;
  /** 40 hex digits, "none" for large files, null for hide markers. */
  readonly contentSha1: string | null;
  readonly contentType: string | null;
  readonly fileInfo: Record<string, string>;
  readonly uploadTimestamp: number;
}

/** A started, not yet finished or cancelled large file. */
export interface LargeFile {
  readonly fileId: string;
  readonly bucketId: string;
  readonly fileName: string;
  readonly contentType: string;
  readonly fileInfo: Record<string, string>;
  readonly uploadTimestamp: number;
  readonly parts: Map<number, { data: Buffer; sha1: string; uploadTimestamp?: number }>;
}

export const MAX_BUCKETS_PER_ACCOUNT = 100;
export const MAX_FILE_INFOS = 10;
/** File name plus file info headers, as B2 counts them. */
export const MAX_NAME_AND_INFO_BYTES = 7000;

export const sha1Hex = (data: Buffer) => createHash('sha1').update(data).digest('hex');

/** B2's bucket naming rules (the fake refuses what B2 refuses). */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 6 || name.length > 50) return 'Bucket names must be between 6 and 50 characters';
  if (!/^[A-Za-z0-9-]+$/.test(name)) return 'Bucket names can only contain letters, numbers and "-"';
  if (/^b2-/i.test(name)) return 'Bucket names beginning with "b2-" are reserved';
  return undefined;
}

/** B2's file naming rules. */
export function checkFileName(name: string): void {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes === 0) throw badRequest('File names must contain at least one character');
  if (bytes > 1024) throw badRequest('File names in UTF8 must be no more than 1024 bytes');
  if (/[\u0000-\u001f\u007f]/.test(name)) throw badRequest('File names must not contain characters below 32 or DEL');
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) throw badRequest('File names must not start with "/", end with "/", or contain "//"');
  if (name.split('/').some((segment) => Buffer.byteLength(segment, 'utf8') > 250)) throw badRequest('File name segments must be no more than 250 bytes');
}

/** Normalise and check custom file info as B2 does: lower-case names, at most 10, b2- names reserved. */
export function checkFileInfo(info: Record<string, string>, fileName: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [rawName, value] of Object.entries(info)) {
    const name = rawName.toLowerCase();
    if (!/^[a-z0-9\-_.`~!#$%^&*'|+]{1,50}$/.test(name)) throw badRequest(`Invalid file info name: ${rawName}`);
    if (name.startsWith('b2-')) throw badRequest(`Unknown or unsupported b2- file info name: ${rawName}`);
    out[name] = value;
  }
  if (Object.keys(out).length > MAX_FILE_INFOS) throw badRequest(`too many file info entries: at most ${MAX_FILE_INFOS}`);
  const headerBytes =
    Buffer.byteLength(encodeURIComponent(fileName)) +
    Object.entries(out).reduce((sum, [k, v]) => sum + Buffer.byteLength(`X-Bz-Info-${k}`) + Buffer.byteLength(encodeURIComponent(v)), 0);
  if (headerBytes > MAX_NAME_AND_INFO_BYTES) throw badRequest(`file name and file info headers exceed ${MAX_NAME_AND_INFO_BYTES} bytes`);
  return out;
}

/**
 * The state of one fake account: buckets, every file version, unfinished large files. Upload
 * timestamps strictly increase, so versions of one name have a stable newest-first order.
 */
export class B2Store {
  readonly buckets = new Map<string, B2Bucket>();
  readonly versions = new Map<string, StoredVersion[]>();
  readonly largeFiles = new Map<string, LargeFile>();
  private lastTimestamp = 0;
  private counter = 0;

  constructor(readonly accountId: string) {}

  now(): number {
    this.lastTimestamp = Math.max(Date.now(), this.lastTimestamp + 1);
    return this.lastTimestamp;
  }

  /** An id shaped like B2's: 4_z<bucket>_f<unique>_d<date>_m<time>_c000_v0001000_t0000. */
  newFileId(bucketId: string, timestamp: number): string {
    const iso = new Date(timestamp).toISOString();
    const date = iso.slice(0, 10).replace(/-/g, '');
    const time = iso.slice(11, 19).replace(/:/g, '');
    const unique = (++this.counter).toString(16).padStart(8, '0') + randomBytes(4).toString('hex');
    return `4_z${bucketId}_f${unique}_d${date}_m${time}_c000_v0001000_t0000`;
  }

  createBucket(bucketName: string, bucketType: string): B2Bucket {
    const problem = bucketNameProblem(bucketName);
    if (problem) throw badRequest(problem);
    if (!['allPrivate', 'allPublic'].includes(bucketType)) throw badRequest(`bucketType must be allPrivate or allPublic`);
    if (this.bucketByName(bucketName)) throw new B2WireError(400, 'duplicate_bucket_name', `Bucket name is already in use.`);
    if (this.buckets.size >= MAX_BUCKETS_PER_ACCOUNT) throw new B2WireError(400, 'too_many_buckets', `Account ${this.accountId} already has ${MAX_BUCKETS_PER_ACCOUNT} buckets`);
    const bucket: B2Bucket = { accountId: this.accountId, bucketId: randomBytes(12).toString('hex'), bucketName, bucketType, revision: 1 };
    this.buckets.set(bucket.bucketId, bucket);
    this.versions.set(bucket.bucketId, []);
    return bucket;
  }

  /** Bucket names are case-insensitive. */
  bucketByName(name: string): B2Bucket | undefined {
    return [...this.buckets.values()].find((b) => b.bucketName.toLowerCase() === name.toLowerCase());
  }

  bucket(bucketId: unknown): B2Bucket {
    const bucket = typeof bucketId === 'string' ? this.buckets.get(bucketId) : undefined;
    if (!bucket) throw new B2WireError(400, 'bad_bucket_id', `Invalid bucketId: ${String(bucketId)}`);
    return bucket;
  }

  /** Versions of a bucket: by name (UTF-8 byte order), newest first within a name. */
  sortedVersions(bucketId: string): StoredVersion[] {
    return [...(this.versions.get(bucketId) ?? [])].sort(
      (a, b) => compareNames(a.fileName, b.fileName) || b.uploadTimestamp - a.uploadTimestamp || compareNames(b.fileId, a.fileId),
    );
  }

  latest(bucketId: string, fileName: string): StoredVersion | undefined {
    return this.sortedVersions(bucketId).find((v) => v.fileName === fileName);
  }

  addVersion(version: StoredVersion): StoredVersion {
    this.versions.get(version.bucketId)!.push(version);
    return version;
  }

  findVersion(fileId: unknown): StoredVersion | undefined {
    for (const list of this.versions.values()) {
      const found = list.find((v) => v.fileId === fileId);
      if (found) return found;
    }
    return undefined;
  }

  removeVersion(version: StoredVersion): void {
    const list = this.versions.get(version.bucketId)!;
    list.splice(list.indexOf(version), 1);
  }

  toJson(v: StoredVersion): B2FileJson {
    return fileJson(this.accountId, {
      action: v.action,
      bucketId: v.bucketId,
      contentLength: v.action === 'upload' ? v.data.length : 0,
      contentSha1: v.contentSha1,
      contentType: v.contentType,
      fileId: v.fileId,
      fileInfo: v.fileInfo,
      fileName: v.fileName,
      uploadTimestamp: v.uploadTimestamp,
    });
  }

  largeFileJson(l: LargeFile): B2FileJson {
    return fileJson(this.accountId, {
      action: 'start',
      bucketId: l.bucketId,
      contentLength: 0,
      contentSha1: 'none',
      contentType: l.contentType,
      fileId: l.fileId,
      fileInfo: l.fileInfo,
      fileName: l.fileName,
      uploadTimestamp: l.uploadTimestamp,
    });
  }

  folderJson(bucketId: string, folderName: string): B2FileJson {
    return fileJson(this.accountId, {
      action: 'folder',
      bucketId,
      contentLength: 0,
      contentSha1: null,
      contentType: null,
      fileId: null,
      fileInfo: {},
      fileName: folderName,
      uploadTimestamp: 0,
    });
  }
}

function fileJson(
  accountId: string,
  f: Pick<B2FileJson, 'action' | 'bucketId' | 'contentLength' | 'contentSha1' | 'contentType' | 'fileId' | 'fileInfo' | 'fileName' | 'uploadTimestamp'>,
): B2FileJson {
  return {
    accountId,
    action: f.action,
    bucketId: f.bucketId,
    contentLength: f.contentLength,
    contentSha1: f.contentSha1,
    contentMd5: null,
    contentType: f.contentType,
    fileId: f.fileId,
    fileInfo: { ...f.fileInfo },
    fileName: f.fileName,
    fileRetention: { isClientAuthorizedToRead: true, value: { mode: null, retainUntilTimestamp: null } },
    legalHold: { isClientAuthorizedToRead: true, value: null },
    serverSideEncryption: { algorithm: null, mode: null },
    uploadTimestamp: f.uploadTimestamp,
  };
}
