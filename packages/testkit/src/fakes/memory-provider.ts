import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  MINIMAL_CAPABILITIES,
  ProviderError,
  isWithin,
  parentOf,
  type Capabilities,
  type ListOptions,
  type ReadOptions,
  type RemoteEntry,
  type RemoteVersion,
  type StorageProvider,
  type WriteOptions,
} from '@nimbus/kernel';

/**
 * What the in-memory provider can do: an S3-like object store with forced versioning,
 * metadata, on-upload mtimes and free MD5/SHA-1/SHA-256, and server-side copy but no move.
 */
export const MEMORY_CAPABILITIES: Capabilities = Object.freeze({
  ...MINIMAL_CAPABILITIES,
  metadata: true,
  mtime: Object.freeze({ support: 'on-upload', precisionMs: 1 }),
  hashes: Object.freeze(['md5', 'sha1', 'sha256']),
  folders: 'virtual',
  versioning: 'forced',
  serverSideCopy: true,
}) as Capabilities;

interface StoredVersion {
  readonly versionId: string;
  /** null for a deletion marker. */
  readonly data: Buffer | null;
  readonly mtime: number;
  readonly storedAt: number;
  metadata?: Readonly<Record<string, string>>;
}

/**
 * A provider keeping objects in memory: the fake cloud for engine and CLI tests that must
 * see versions, metadata and hashes without a server. Passes the conformance suite.
 */
export class MemoryProvider implements StorageProvider {
  readonly capabilities = MEMORY_CAPABILITIES;
  /** Versions of each path, newest first. */
  private readonly objects = new Map<string, StoredVersion[]>();
  private versionCounter = 0;

  async *list(dir: string, options: ListOptions = {}): AsyncIterable<RemoteEntry[]> {
    checkPath(dir, true);
    const pageSize = Math.max(1, options.pageSize ?? 1000);
    const folders = new Set<string>();
    let page: RemoteEntry[] = [];
    for (const path of [...this.objects.keys()].sort()) {
      const entry = this.current(path);
      if (!entry || path === dir || !isWithin(path, dir)) continue;
      // Folders are the prefixes between `dir` and each object (virtual folders).
      const rest = dir === '' ? path : path.slice(dir.length + 1);
      const parts = rest.split('/');
      const depth = options.recursive ? parts.length - 1 : Math.min(1, parts.length - 1);
      for (let i = 1; i <= depth; i++) {
        const folder = [dir, ...parts.slice(0, i)].filter((p) => p !== '').join('/');
        if (!folders.has(folder)) {
          folders.add(folder);
          page.push({ path: folder, kind: 'folder', size: 0 });
        }
      }
      if (options.recursive || parts.length === 1) page.push(entry);
      if (page.length >= pageSize) {
        yield page;
        page = [];
      }
    }
    if (page.length) yield page;
  }

  async stat(path: string): Promise<RemoteEntry | undefined> {
    checkPath(path);
    return this.current(path);
  }

  async read(path: string, options: ReadOptions = {}): Promise<Readable> {
    checkPath(path);
    const latest = this.objects.get(path)?.[0];
    if (!latest?.data) throw new ProviderError('not-found', `no object at "${path}"`);
    return rangeStream(latest.data, options);
  }

  async write(path: string, body: Readable, options: WriteOptions = {}): Promise<RemoteEntry> {
    checkPath(path);
    const data = await collect(body, options);
    if (options.size !== undefined && data.length !== options.size) {
      throw new ProviderError('conflict', `"${path}": expected ${options.size} bytes, the body had ${data.length}`);
    }
    this.store(path, data, options.mtime ?? Date.now(), options.metadata);
    return this.current(path)!;
  }

  async delete(path: string): Promise<void> {
    checkPath(path);
    // With forced versioning a delete hides the object behind a marker, like B2's "hide".
    if (this.current(path)) this.store(path, null, Date.now(), undefined);
  }

  async copy(from: string, to: string): Promise<RemoteEntry> {
    checkPath(to);
    const source = this.latestObject(from);
    this.store(to, source.data, source.mtime, source.metadata);
    return this.current(to)!;
  }

  async setMetadata(path: string, metadata: Readonly<Record<string, string>>): Promise<void> {
    this.latestObject(path).metadata = { ...metadata };
  }

  async listVersions(path: string): Promise<RemoteVersion[]> {
    checkPath(path);
    return (this.objects.get(path) ?? []).map((v, i) => ({
      path,
      versionId: v.versionId,
      size: v.data?.length ?? 0,
      storedAt: v.storedAt,
      isLatest: i === 0,
      isDeleteMarker: v.data === null,
    }));
  }

  async readVersion(path: string, versionId: string, options: ReadOptions = {}): Promise<Readable> {
    const version = this.version(path, versionId);
    if (!version.data) throw new ProviderError('invalid', `version ${versionId} of "${path}" is a deletion marker`);
    return rangeStream(version.data, options);
  }

  async deleteVersion(path: string, versionId: string): Promise<void> {
    const versions = this.objects.get(path)!;
    versions.splice(versions.indexOf(this.version(path, versionId)), 1);
    if (!versions.length) this.objects.delete(path);
  }

  private store(path: string, data: Buffer | null, mtime: number, metadata: Readonly<Record<string, string>> | undefined): void {
    const version: StoredVersion = {
      versionId: `v${++this.versionCounter}`,
      data,
      mtime,
      storedAt: Date.now(),
      ...(metadata ? { metadata: { ...metadata } } : {}),
    };
    this.objects.set(path, [version, ...(this.objects.get(path) ?? [])]);
  }

  private latestObject(path: string): StoredVersion & { data: Buffer } {
    checkPath(path);
    const latest = this.objects.get(path)?.[0];
    if (!latest?.data) throw new ProviderError('not-found', `no object at "${path}"`);
    return latest as StoredVersion & { data: Buffer };
  }

  private version(path: string, versionId: string): StoredVersion {
    checkPath(path);
    const version = this.objects.get(path)?.find((v) => v.versionId === versionId);
    if (!version) throw new ProviderError('not-found', `no version ${versionId} of "${path}"`);
    return version;
  }

  private current(path: string): RemoteEntry | undefined {
    const latest = this.objects.get(path)?.[0];
    if (!latest?.data) return undefined;
    return {
      path,
      kind: 'file',
      size: latest.data.length,
      mtime: latest.mtime,
      hashes: {
        md5: createHash('md5').update(latest.data).digest('hex'),
        sha1: createHash('sha1').update(latest.data).digest('hex'),
        sha256: createHash('sha256').update(latest.data).digest('hex'),
      },
      versionId: latest.versionId,
      ...(latest.metadata ? { metadata: { ...latest.metadata } } : {}),
    };
  }
}

/** Remote paths must be canonical; anything else is a caller bug worth failing on. */
function checkPath(path: string, allowRoot = false): void {
  if (path === '' && allowRoot) return;
  if (path === '' || path.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw new ProviderError('invalid', `"${path}" is not a canonical remote path`);
  }
}

async function collect(body: Readable, options: WriteOptions): Promise<Buffer> {
  options.signal?.throwIfAborted();
  const chunks: Buffer[] = [];
  let size = 0;
  const abort = () => body.destroy(options.signal!.reason as Error);
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    for await (const chunk of body) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      chunks.push(bytes);
      size += bytes.length;
      options.onProgress?.(size);
    }
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
  return Buffer.concat(chunks);
}

function rangeStream(data: Buffer, options: ReadOptions): Readable {
  const start = options.range?.start ?? 0;
  const end = options.range?.end === undefined ? data.length : options.range.end + 1;
  return Readable.from([data.subarray(start, end)], { objectMode: false });
}
