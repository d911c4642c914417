import {
  isProviderError,
  ProviderError,
  type BucketInfo,
  type Capabilities,
  type ListOptions,
  type ReadOptions,
  type RemoteEntry,
  type RemoteVersion,
  type StorageProvider,
  type WriteOptions,
} from '@nimbus/kernel/plugin';
import { PassThrough, pipeline, Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { B2Bucket, B2UploadTarget } from './b2-api-types.js';
import type { B2Client } from './b2-client.js';
import { b2CodeOf, type B2ErrorMapper } from './b2-errors.js';
import { uploadFile } from './b2-upload.js';
import { createAccountBucket, listAccountBuckets } from './buckets.js';
import { entryFromFile, entryFromHeaders } from './entries.js';
import { fileInfoFor } from './file-info.js';
import { FileNames } from './file-names.js';
import { listEntries } from './listing.js';
import { B2_LIMITS } from './part-size.js';
import { cancelUnfinishedLargeFiles } from './unfinished-large-files.js';
import type { UploadContext } from './upload-context.js';
import { UploadUrlPool } from './upload-url-pool.js';
import { listFileVersions } from './versions.js';

export interface B2ProviderOptions {
  readonly client: B2Client;
  readonly errors: B2ErrorMapper;
  /** The bucket, or undefined in a dry run against a bucket that would be created. */
  readonly bucket: B2Bucket | undefined;
  readonly prefix: string;
  readonly capabilities: Capabilities;
  readonly threshold: number;
  readonly partSize: number;
  readonly concurrency: number;
}

/**
 * One B2 bucket (below an optional prefix) through B2's native API. Files are immutable
 * and versioned: a write uploads a new version, a delete hides the file (a hide marker),
 * old versions are listed, read and deleted by file id. Large files go up in parts.
 */
export class B2Provider implements StorageProvider {
  readonly capabilities: Capabilities;
  readonly names: FileNames;
  private readonly client: B2Client;
  private readonly errors: B2ErrorMapper;
  private readonly upload: UploadContext | undefined;

  constructor(private readonly options: B2ProviderOptions) {
    this.capabilities = options.capabilities;
    this.client = options.client;
    this.errors = options.errors;
    this.names = new FileNames(options.prefix);
    const bucket = options.bucket;
    this.upload = bucket && {
      client: this.client,
      errors: this.errors,
      bucketId: bucket.bucketId,
      fileUrls: new UploadUrlPool((signal) => this.client.call<B2UploadTarget>('b2_get_upload_url', { bucketId: bucket.bucketId }, signal)),
    };
  }

  /** The client, for tests and diagnostics (authorization count). */
  get b2(): B2Client {
    return this.client;
  }

  list(dir: string, options: ListOptions = {}): AsyncIterable<RemoteEntry[]> {
    this.names.folderPrefix(dir); // refuse a bad path now, not at the first page
    const bucket = this.options.bucket;
    if (!bucket) return (async function* () {})();
    return listEntries({ client: this.client, errors: this.errors, bucketId: bucket.bucketId, names: this.names }, dir, {
      recursive: options.recursive === true,
      ...(options.pageSize !== undefined ? { pageSize: options.pageSize } : {}),
    });
  }

  /** A HEAD of b2_download_file_by_name: the newest version's headers, or 404 when missing or hidden. */
  async stat(path: string): Promise<RemoteEntry | undefined> {
    const fileName = this.names.nameOf(path);
    const bucket = this.options.bucket;
    if (!bucket) return undefined;
    try {
      const response = await this.client.downloadByName(bucket.bucketName, fileName, { method: 'HEAD' });
      return entryFromHeaders(path, response.headers);
    } catch (error) {
      const mapped = this.errors.map(error, `stat "${path}"`);
      if (isProviderError(mapped, 'not-found')) return undefined;
      throw mapped;
    }
  }

  async read(path: string, options: ReadOptions = {}): Promise<Readable> {
    const fileName = this.names.nameOf(path);
    const bucket = this.requireBucket(`read "${path}"`);
    const range = rangeHeader(path, options);
    const response = await this.errors.run(`read "${path}"`, () =>
      this.client.downloadByName(bucket.bucketName, fileName, range ? { range } : {}),
    );
    return this.bodyOf(response, `read "${path}"`);
  }

  async write(path: string, body: Readable, options: WriteOptions = {}): Promise<RemoteEntry> {
    const fileName = this.names.nameOf(path);
    if (options.size !== undefined && options.size > B2_LIMITS.maxObjectSize) {
      throw new ProviderError('invalid', `"${path}": ${options.size} bytes is more than B2's largest file (10 TB)`);
    }
    const info = fileInfoFor(fileName, path, {
      ...(options.mtime !== undefined ? { mtime: options.mtime } : {}),
      ...(options.metadata ? { metadata: options.metadata } : {}),
    });
    if (!this.upload) throw new ProviderError('not-found', `bucket does not exist yet (dry run)`);
    const { file } = await uploadFile(
      this.upload,
      {
        fileName,
        path,
        body,
        info,
        ...(options.size !== undefined ? { size: options.size } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.resume ? { resume: options.resume } : {}),
        ...(options.pacer ? { pacer: options.pacer } : {}),
      },
      { threshold: this.options.threshold, partSize: this.options.partSize, concurrency: this.options.concurrency },
    );
    return entryFromFile(path, file);
  }

  /** b2_hide_file: the file disappears from listings and downloads; its versions stay until purged. */
  async delete(path: string): Promise<void> {
    const fileName = this.names.nameOf(path);
    const bucket = this.options.bucket;
    if (!bucket) return;
    try {
      await this.errors.run(`delete "${path}"`, () => this.client.call('b2_hide_file', { bucketId: bucket.bucketId, fileName }));
    } catch (error) {
      // Never there, or hidden already: the file is gone either way.
      const code = b2CodeOf(error);
      if (code !== 'no_such_file' && code !== 'already_hidden' && code !== 'file_not_present') throw error;
    }
  }

  listVersions(path: string): Promise<RemoteVersion[]> {
    const fileName = this.names.nameOf(path);
    const bucket = this.options.bucket;
    if (!bucket) return Promise.resolve([]);
    return listFileVersions({ client: this.client, errors: this.errors, bucketId: bucket.bucketId }, fileName, path);
  }

  async readVersion(path: string, versionId: string, options: ReadOptions = {}): Promise<Readable> {
    this.names.nameOf(path);
    const range = rangeHeader(path, options);
    const response = await this.errors.run(`read version ${versionId} of "${path}"`, () => this.client.downloadById(versionId, range ? { range } : {}));
    return this.bodyOf(response, `read "${path}"`);
  }

  /** b2_delete_file_version: removes one version (upload or hide marker) for good. */
  async deleteVersion(path: string, versionId: string): Promise<void> {
    const fileName = this.names.nameOf(path);
    try {
      await this.errors.run(`delete version ${versionId} of "${path}"`, () => this.client.call('b2_delete_file_version', { fileName, fileId: versionId }));
    } catch (error) {
      if (b2CodeOf(error) !== 'file_not_present') throw error;
    }
  }

  listBuckets(): Promise<BucketInfo[]> {
    return listAccountBuckets({ client: this.client, errors: this.errors });
  }

  async createBucket(name: string): Promise<void> {
    await createAccountBucket({ client: this.client, errors: this.errors }, name);
  }

  /** Cancel large files left unfinished below the prefix by killed runs. Only while no write to this destination runs. */
  async cleanupIncomplete(): Promise<number> {
    const bucket = this.options.bucket;
    if (!bucket) return 0;
    return cancelUnfinishedLargeFiles({ client: this.client, errors: this.errors, bucketId: bucket.bucketId }, this.names.root);
  }

  async close(): Promise<void> {
    // fetch's pool closes idle keep-alive sockets by itself; nothing is held per connection.
  }

  private requireBucket(what: string): B2Bucket {
    if (!this.options.bucket) throw new ProviderError('not-found', `b2 ${what}: the bucket does not exist yet (dry run)`);
    return this.options.bucket;
  }

  /** The response body as a Node stream whose failures (a reset mid-download) arrive classified. */
  private bodyOf(response: Response, what: string): Readable {
    const out = new PassThrough();
    if (!response.body) {
      out.end();
      return out;
    }
    pipeline(Readable.fromWeb(response.body as unknown as WebReadableStream), out, (error) => {
      if (error) out.destroy(this.errors.map(error, what) as Error);
    });
    return out;
  }
}

function rangeHeader(path: string, options: ReadOptions): string | undefined {
  const range = options.range;
  if (!range) return undefined;
  if (range.start < 0 || (range.end !== undefined && range.end < range.start)) {
    throw new ProviderError('invalid', `"${path}": bad byte range ${range.start}-${range.end ?? ''}`);
  }
  return `bytes=${range.start}-${range.end ?? ''}`;
}
