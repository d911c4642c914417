import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  isProviderError,
  ProviderError,
  type ArchiveState,
  type BucketInfo,
  type Capabilities,
  type ListOptions,
  type Logger,
  type ReadOptions,
  type RemoteEntry,
  type RemoteVersion,
  type RestoreRequest,
  type StorageProvider,
  type WriteOptions,
  withToolMtime,
} from '@nimbus/kernel/plugin';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { createAccountBucket, listAccountBuckets } from './buckets.js';
import { entryFromHead, md5FromEtag } from './entries.js';
import { abortIncompleteUploads } from './incomplete-uploads.js';
import { listEntries } from './listing.js';
import { ObjectKeys } from './object-keys.js';
import { uploadObject } from './object-upload.js';
import { errorCodeOf, type S3ErrorMapper } from './s3-errors.js';
import { copyObject } from './server-side-copy.js';
import { isArchiveStorageClass, RESTORE_TIERS } from './storage-classes.js';
import { listKeyVersions } from './versions.js';
import { sendRestore } from './restore-request.js';

/** S3 refuses CopyObject above 5 GiB; larger objects are copied in parts. */
export const SINGLE_COPY_LIMIT = 5 * 1024 * 1024 * 1024;

export interface S3ProviderOptions {
  readonly client: S3Client;
  readonly bucket: string;
  readonly prefix: string;
  readonly capabilities: Capabilities;
  readonly errors: S3ErrorMapper;
  readonly s3Compatible: boolean;
  /** Storage class of new objects; STANDARD is sent as "no class" (the service default). */
  readonly storageClass: string;
  readonly multipartThreshold: number;
  readonly partConcurrency: number;
  readonly restoreDays: number;
  readonly restoreTier: string;
  /** Sources above this size are copied in parts (tests lower it). */
  readonly singleCopyLimit?: number;
  /** Where the plugin says what it did instead of what was asked (a restore tier that is not offered). */
  readonly logger?: Logger;
  /** A dry run against a bucket that would be created: everything reads as empty. */
  readonly bucketMissing?: boolean;
}

/**
 * One bucket (below an optional prefix) of Amazon S3 or an S3-compatible service.
 * Folders are virtual, mtimes live in metadata (the kernel's), uploads above the threshold
 * are multipart with parallel parts, and Glacier/Deep Archive objects are restored as
 * temporary copies on request.
 */
export class S3Provider implements StorageProvider {
  readonly capabilities: Capabilities;
  readonly keys: ObjectKeys;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly errors: S3ErrorMapper;

  constructor(private readonly options: S3ProviderOptions) {
    this.capabilities = options.capabilities;
    this.client = options.client;
    this.bucket = options.bucket;
    this.errors = options.errors;
    this.keys = new ObjectKeys(options.prefix);
  }

  list(dir: string, options: ListOptions = {}): AsyncIterable<RemoteEntry[]> {
    this.keys.folderPrefix(dir); // refuse a bad path now, not at the first page
    if (this.options.bucketMissing) return (async function* () {})();
    return listEntries(
      { client: this.client, bucket: this.bucket, keys: this.keys, errors: this.errors, withRestoreStatus: !this.options.s3Compatible },
      dir,
      { recursive: options.recursive === true, ...(options.pageSize !== undefined ? { pageSize: options.pageSize } : {}) },
    );
  }

  async stat(path: string): Promise<RemoteEntry | undefined> {
    const head = await this.head(path);
    return head ? entryFromHead(path, head) : undefined;
  }

  /** HeadObject of the path's key; undefined when there is no such object. */
  private async head(path: string): Promise<HeadObjectCommandOutput | undefined> {
    const key = this.keys.keyOf(path);
    if (this.options.bucketMissing) return undefined;
    try {
      return await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      const mapped = this.errors.map(error, `stat "${path}"`);
      // A HEAD answer has no body, so a missing bucket also reads as a plain 404.
      if (isProviderError(mapped, 'not-found') && errorCodeOf(error).code !== 'NoSuchBucket') return undefined;
      throw mapped;
    }
  }

  async read(path: string, options: ReadOptions = {}): Promise<Readable> {
    const key = this.keys.keyOf(path);
    const range = options.range;
    if (range && (range.start < 0 || (range.end !== undefined && range.end < range.start))) {
      throw new ProviderError('invalid', `"${path}": bad byte range ${range.start}-${range.end ?? ''}`);
    }
    return this.get(path, key, undefined, options);
  }

  async write(path: string, body: Readable, options: WriteOptions = {}): Promise<RemoteEntry> {
    const key = this.keys.keyOf(path);
    const storageClass = options.tier ?? this.options.storageClass;
    if (!this.capabilities.archive.tiers.includes(storageClass) && !(storageClass === 'STANDARD')) {
      throw new ProviderError('invalid', `"${path}": storage class ${storageClass} is not available here (${this.capabilities.archive.tiers.join(', ')})`);
    }
    const result = await uploadObject(
      { client: this.client, bucket: this.bucket, key, path, errors: this.errors },
      {
        body,
        ...(options.size !== undefined ? { size: options.size } : {}),
        // rclone reads the original's time from x-amz-meta-mtime (decimal seconds), besides Nimbus's own key.
        ...(options.metadata ? { metadata: withToolMtime(options.metadata, 'epoch-seconds')! } : {}),
        ...(storageClass !== 'STANDARD' ? { storageClass } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.resume ? { resume: options.resume } : {}),
        ...(options.pacer ? { pacer: options.pacer } : {}),
      },
      { threshold: this.options.multipartThreshold, partConcurrency: this.options.partConcurrency },
    );
    // No mtime: Last-Modified is the service's clock, which only a HEAD would tell (one more round trip per file).
    return {
      path,
      kind: 'file',
      size: result.size,
      ...(result.md5 ? { hashes: { md5: result.md5 } } : {}),
      ...(result.versionId && result.versionId !== 'null' ? { versionId: result.versionId } : {}),
      ...(isArchiveStorageClass(storageClass) ? { archive: { status: 'archived', tier: storageClass } as ArchiveState } : {}),
    };
  }

  async delete(path: string): Promise<void> {
    const key = this.keys.keyOf(path);
    // Single DeleteObject calls: DeleteObjects needs Content-MD5, which some compatible services insist on and the SDK no longer sends.
    await this.errors.run(`delete "${path}"`, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }))).catch((error: unknown) => {
      if (!isProviderError(error, 'not-found') || errorCodeOf((error as Error).cause).code === 'NoSuchBucket') throw error;
    });
  }

  async copy(from: string, to: string): Promise<RemoteEntry> {
    const source = await this.requireEntry(from, 'copy');
    const result = await copyObject(this.copyContext(), {
      fromKey: this.keys.keyOf(from),
      toKey: this.keys.keyOf(to),
      size: source.size,
      metadata: source.metadata ?? {},
      ...(this.options.storageClass !== 'STANDARD' ? { storageClass: this.options.storageClass } : {}),
      what: `copy "${from}" to "${to}"`,
    });
    const md5 = md5FromEtag(result.etag);
    return {
      path: to,
      kind: 'file',
      size: source.size,
      ...(result.lastModified ? { mtime: result.lastModified.getTime() } : {}),
      ...(md5 ? { hashes: { md5 } } : {}),
      metadata: { ...(source.metadata ?? {}) },
      ...(result.versionId && result.versionId !== 'null' ? { versionId: result.versionId } : {}),
    };
  }

  /** Copy, then delete the source: S3 has no rename. Not atomic: a failure between the two leaves both. */
  async move(from: string, to: string): Promise<RemoteEntry> {
    const entry = await this.copy(from, to);
    await this.delete(from);
    return entry;
  }

  /** Replace the user metadata in place: a copy of the object onto itself (no download). */
  async setMetadata(path: string, metadata: Readonly<Record<string, string>>): Promise<void> {
    const source = await this.requireEntry(path, 'change the metadata of');
    const storageClass = source.archive?.tier ?? (this.options.storageClass !== 'STANDARD' ? this.options.storageClass : undefined);
    await copyObject(this.copyContext(), {
      fromKey: this.keys.keyOf(path),
      toKey: this.keys.keyOf(path),
      size: source.size,
      metadata: withToolMtime(metadata, 'epoch-seconds')!,
      replaceMetadata: true,
      ...(storageClass ? { storageClass } : {}),
      what: `change the metadata of "${path}"`,
    });
  }

  listVersions(path: string): Promise<RemoteVersion[]> {
    return listKeyVersions({ client: this.client, bucket: this.bucket, errors: this.errors }, this.keys.keyOf(path), path);
  }

  readVersion(path: string, versionId: string, options: ReadOptions = {}): Promise<Readable> {
    return this.get(path, this.keys.keyOf(path), versionId, options);
  }

  async deleteVersion(path: string, versionId: string): Promise<void> {
    const key = this.keys.keyOf(path);
    await this.errors.run(`delete version ${versionId} of "${path}"`, () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key, VersionId: versionId })),
    );
  }

  /**
   * Ask for a restore of an archived object (RestoreObject): a temporary copy of a
   * Glacier/Deep Archive object, or the move of an Intelligent-Tiering object out of its
   * archive tier. Days and retrieval tier default to the settings. A restore already
   * running, or a copy already there, is reported as such rather than requested twice.
   */
  async requestRestore(path: string, request: RestoreRequest = {}): Promise<ArchiveState> {
    const key = this.keys.keyOf(path);
    const tier = request.priority ?? this.options.restoreTier;
    if (!(RESTORE_TIERS as readonly string[]).includes(tier)) {
      throw new ProviderError('invalid', `restore priority ${tier} is not one of ${RESTORE_TIERS.join(', ')}`);
    }
    const head = await this.head(path);
    if (!head) throw new ProviderError('not-found', `"${path}" does not exist`);
    const current = entryFromHead(path, head);
    if (!current.archive || current.archive.status === 'restoring' || current.archive.status === 'restored') {
      return current.archive ?? { status: 'online' };
    }
    try {
      const place = { storageClass: current.archive.tier!, ...(head.ArchiveStatus ? { archiveStatus: head.ArchiveStatus } : {}) };
      const status = await sendRestore({ client: this.client, bucket: this.bucket, logger: this.options.logger }, key, path, place, {
        days: request.days ?? this.options.restoreDays,
        tier,
      });
      // 200: a restored copy exists already (its expiry was extended); 202: the restore started.
      if (status === 200) return (await this.stat(path))?.archive ?? { status: 'online' };
      return { status: 'restoring', tier: current.archive.tier! };
    } catch (error) {
      if (errorCodeOf(error).code === 'RestoreAlreadyInProgress') return { status: 'restoring', tier: current.archive.tier! };
      throw this.errors.map(error, `request a restore of "${path}"`);
    }
  }

  listBuckets(): Promise<BucketInfo[]> {
    return listAccountBuckets({ client: this.client, errors: this.errors, s3Compatible: this.options.s3Compatible });
  }

  createBucket(name: string, options: { location?: string } = {}): Promise<void> {
    return createAccountBucket({ client: this.client, errors: this.errors, s3Compatible: this.options.s3Compatible }, name, options.location);
  }

  /** Abort multipart uploads left below the prefix by killed runs. Only while no write to this destination runs. */
  cleanupIncomplete(): Promise<number> {
    return abortIncompleteUploads({ client: this.client, bucket: this.bucket, errors: this.errors }, this.keys.root);
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private copyContext() {
    return {
      client: this.client,
      bucket: this.bucket,
      errors: this.errors,
      singleCopyLimit: this.options.singleCopyLimit ?? SINGLE_COPY_LIMIT,
      partConcurrency: this.options.partConcurrency,
    };
  }

  private async requireEntry(path: string, verb: string): Promise<RemoteEntry> {
    const entry = await this.stat(path);
    if (!entry) throw new ProviderError('not-found', `cannot ${verb} "${path}": it does not exist`);
    return entry;
  }

  private async get(path: string, key: string, versionId: string | undefined, options: ReadOptions): Promise<Readable> {
    const range = options.range;
    const output = await this.errors.run(`read "${path}"`, () =>
      this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          ...(versionId ? { VersionId: versionId } : {}),
          ...(range ? { Range: `bytes=${range.start}-${range.end ?? ''}` } : {}),
        }),
      ),
    );
    const body = output.Body as Readable | undefined;
    const out = new PassThrough();
    if (!body) {
      out.end();
      return out;
    }
    // Errors inside the body (a reset mid-download) reach the caller classified.
    pipeline(body, out, (error) => {
      if (error) out.destroy(this.errors.map(error, `read "${path}"`) as Error);
    });
    return out;
  }
}
