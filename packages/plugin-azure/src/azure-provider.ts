import {
  ProviderError,
  type ArchiveState,
  type Capabilities,
  type ListOptions,
  type ReadOptions,
  type RemoteEntry,
  type RestoreRequest,
  type StorageProvider,
  type WriteOptions,
  withToolMtime,
} from '@nimbus/kernel/plugin';
import type { ContainerClient } from '@azure/storage-blob';
import { PassThrough, type Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { archiveStateOf, rehydrationTarget } from './archive-state.js';
import { fileEntry, folderEntry } from './blob-entries.js';
import { BlobPaths } from './blob-paths.js';
import { uploadBlob, type UploadSettings } from './block-upload.js';
import { capabilitiesFor } from './capabilities.js';
import { toAzureMetadata } from './metadata-names.js';
import { errorCodeOf, isNotFound, toProviderError } from './provider-errors.js';
import { ARCHIVE_TIERS, ACCESS_TIERS, ONLINE_TIERS, REHYDRATE_PRIORITIES, canonicalTier, type RehydratePriority } from './tiers.js';

const DEFAULT_PAGE_SIZE = 1000;
/** Azure's largest List Blobs page. */
const MAX_PAGE_SIZE = 5000;
const COPY_POLL_MS = 500;

/** Copying or moving an archived blob would mean a rehydrating copy that stays pending for hours. */
function archivedSource(path: string): ProviderError {
  return new ProviderError(
    'archived',
    `"${path}" is in the Archive tier: Azure copies it only by rehydrating the copy, which takes hours, so it was left as it is (it can be copied once rehydrated)`,
  );
}

export interface AzureProviderOptions extends UploadSettings {
  readonly prefix: string;
  /** Tier for uploads when the kernel asks for none; undefined: the account's default. */
  readonly accessTier?: string;
  readonly rehydratePriority: RehydratePriority;
}

/**
 * One container (below an optional prefix) of an Azure storage account, or of a service
 * speaking its Blob API (Azurite). Folders are virtual: `/` in blob names.
 */
export class AzureProvider implements StorageProvider {
  readonly capabilities: Capabilities;
  private readonly paths: BlobPaths;

  constructor(
    private readonly container: ContainerClient,
    private readonly options: AzureProviderOptions,
  ) {
    this.paths = new BlobPaths(container.containerName, options.prefix);
    this.capabilities = capabilitiesFor(options.blockSize);
  }

  private fail(error: unknown, path?: string): unknown {
    return toProviderError(error, { container: this.container.containerName, ...(path !== undefined ? { path } : {}) });
  }

  list(dir: string, options: ListOptions = {}): AsyncIterable<RemoteEntry[]> {
    const prefix = this.paths.listPrefix(dir); // refuse a bad path now, not at the first page
    const maxPageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(options.pageSize ?? DEFAULT_PAGE_SIZE)));
    return options.recursive ? this.listFlat(prefix, maxPageSize, dir) : this.listLevel(prefix, maxPageSize, dir);
  }

  private async *listFlat(prefix: string, maxPageSize: number, dir: string): AsyncGenerator<RemoteEntry[]> {
    try {
      for await (const page of this.container.listBlobsFlat({ prefix, includeMetadata: true }).byPage({ maxPageSize })) {
        const entries: RemoteEntry[] = [];
        for (const blob of page.segment.blobItems) {
          const path = this.paths.pathOf(blob.name);
          if (path !== undefined) entries.push(fileEntry(path, { ...blob.properties, metadata: blob.metadata }));
        }
        yield entries;
      }
    } catch (error) {
      if (errorCodeOf(error) === 'ContainerNotFound') return; // a dry run before the container exists
      throw this.fail(error, dir);
    }
  }

  private async *listLevel(prefix: string, maxPageSize: number, dir: string): AsyncGenerator<RemoteEntry[]> {
    try {
      for await (const page of this.container.listBlobsByHierarchy('/', { prefix, includeMetadata: true }).byPage({ maxPageSize })) {
        const entries: RemoteEntry[] = [];
        for (const sub of page.segment.blobPrefixes ?? []) {
          const path = this.paths.pathOf(sub.name);
          if (path !== undefined) entries.push(folderEntry(path));
        }
        for (const blob of page.segment.blobItems) {
          const path = this.paths.pathOf(blob.name);
          if (path !== undefined) entries.push(fileEntry(path, { ...blob.properties, metadata: blob.metadata }));
        }
        yield entries;
      }
    } catch (error) {
      if (errorCodeOf(error) === 'ContainerNotFound') return;
      throw this.fail(error, dir);
    }
  }

  async stat(path: string): Promise<RemoteEntry | undefined> {
    const blob = this.container.getBlobClient(this.paths.blobName(path));
    try {
      return fileEntry(path, await blob.getProperties());
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw this.fail(error, path);
    }
  }

  async read(path: string, options: ReadOptions = {}): Promise<Readable> {
    const blob = this.container.getBlobClient(this.paths.blobName(path));
    const range = options.range;
    if (range && (range.start < 0 || (range.end !== undefined && range.end < range.start))) {
      throw new ProviderError('invalid', `"${path}": bad byte range ${range.start}-${range.end ?? ''}`);
    }
    try {
      const response = await blob.download(range?.start ?? 0, range && range.end !== undefined ? range.end - range.start + 1 : undefined);
      const source = response.readableStreamBody as Readable | undefined;
      const out = new PassThrough();
      if (!source) return out.end(), out;
      // Errors raised while the body streams are classified like the others.
      source.on('error', (error) => out.destroy(this.fail(error, path) as Error));
      return source.pipe(out);
    } catch (error) {
      throw this.fail(error, path);
    }
  }

  async write(path: string, body: Readable, options: WriteOptions = {}): Promise<RemoteEntry> {
    const name = this.paths.blobName(path);
    const tier = this.uploadTier(path, options.tier);
    // rclone reads the original's time from `mtime` (RFC 3339 on Azure Blob), besides Nimbus's own key.
    const metadata = toAzureMetadata(withToolMtime(options.metadata, 'rfc3339'));
    try {
      const result = await uploadBlob(
        this.container.getBlockBlobClient(name),
        body,
        {
          path,
          ...(options.size !== undefined ? { size: options.size } : {}),
          ...(metadata ? { metadata } : {}),
          ...(tier ? { tier } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
          ...(options.resume ? { resume: options.resume } : {}),
          ...(options.pacer ? { pacer: options.pacer } : {}),
        },
        this.options,
        (error) => this.fail(error, path),
      );
      return fileEntry(path, {
        contentLength: result.size,
        contentMD5: result.md5,
        ...(result.lastModified ? { lastModified: result.lastModified } : {}),
        ...(tier ? { accessTier: tier } : {}),
        ...(metadata ? { metadata } : {}),
      });
    } catch (error) {
      body.destroy();
      throw this.fail(error, path);
    }
  }

  private uploadTier(path: string, requested: string | undefined): string | undefined {
    if (requested === undefined) return this.options.accessTier;
    const tier = canonicalTier(requested);
    if (!tier) throw new ProviderError('invalid', `"${path}": unknown access tier "${requested}" (use one of ${ACCESS_TIERS.join(', ')})`);
    return tier;
  }

  async delete(path: string): Promise<void> {
    try {
      await this.container.getBlobClient(this.paths.blobName(path)).deleteIfExists({ deleteSnapshots: 'include' });
    } catch (error) {
      if (isNotFound(error)) return;
      throw this.fail(error, path);
    }
  }

  /** Set Blob Metadata: replaces every custom key (refused with 'archived' for Archive-tier blobs). */
  async setMetadata(path: string, metadata: Readonly<Record<string, string>>): Promise<void> {
    try {
      await this.container.getBlobClient(this.paths.blobName(path)).setMetadata(toAzureMetadata(withToolMtime(metadata, 'rfc3339')));
    } catch (error) {
      throw this.fail(error, path);
    }
  }

  /**
   * Copy Blob within the account: the service copies the bytes, metadata and Content-MD5.
   *
   * An archived (or rehydrating) source is refused with 'archived' before anything is
   * started: Azure copies an archived blob only into an online tier, as a copy that stays
   * pending while the destination rehydrates (up to 15 hours), and the source must stay
   * as it is until then ("Do not delete the source blob until the rehydration has
   * completed"). A run cannot wait that long, and the callers (version keeping before an
   * overwrite or a delete) change the source right after the copy, which would make the
   * copy fail and the kept version vanish. Refusing keeps the blob where it is, intact.
   * An online source's copy is waited for (within an account it finishes in moments).
   */
  async copy(from: string, to: string): Promise<RemoteEntry> {
    const source = this.container.getBlobClient(this.paths.blobName(from));
    const target = this.container.getBlobClient(this.paths.blobName(to));
    try {
      const before = await source.getProperties();
      const state = archiveStateOf(before.accessTier, before.archiveStatus);
      if (state && state.status !== 'online') throw archivedSource(from);
      // The poller starts the copy; its status is followed here rather than by pollUntilDone, which would wait for hours.
      const started = await target.beginCopyFromURL(source.url, this.options.accessTier ? { tier: this.options.accessTier } : {});
      const begun = started.getOperationState();
      // The poller keeps a result only for a finished copy; one not finished is pending.
      let copyStatus = begun.isCompleted ? begun.result?.copyStatus : 'pending';
      while (copyStatus === 'pending') {
        const now = await target.getProperties();
        // Archived since it was looked at: the destination rehydrates for hours; never wait for that.
        if (archiveStateOf(now.accessTier, now.archiveStatus)?.status === 'restoring') throw archivedSource(from);
        copyStatus = now.copyStatus;
        if (copyStatus === 'pending') await delay(COPY_POLL_MS);
      }
      if (copyStatus !== 'success') {
        throw new ProviderError('transient', `copy of "${from}" to "${to}" ended with status ${copyStatus ?? 'unknown'}`);
      }
    } catch (error) {
      if (isNotFound(error) || errorCodeOf(error) === 'CannotVerifyCopySource') {
        throw new ProviderError('not-found', `cannot copy "${from}": it does not exist`);
      }
      throw this.fail(error, from);
    }
    const entry = await this.stat(to);
    if (!entry) throw new ProviderError('not-found', `"${to}" vanished right after it was copied`);
    return entry;
  }

  /**
   * Azure has no rename: copy, then delete the source. The source is deleted only once the
   * copy has succeeded; an archived source is refused by `copy` before anything changes.
   */
  async move(from: string, to: string): Promise<RemoteEntry> {
    const entry = await this.copy(from, to);
    await this.delete(from);
    return entry;
  }

  /**
   * Rehydrate an archived blob by moving it to an online tier (Hot unless asked), with the
   * requested priority. Returns the state the service reports afterwards: 'restoring' on
   * Azure (hours), 'online' where it is immediate (Azurite). An online blob is left alone;
   * a rehydration already under way can only be sped up (Standard → High).
   */
  async requestRestore(path: string, request: RestoreRequest): Promise<ArchiveState> {
    const blob = this.container.getBlobClient(this.paths.blobName(path));
    const priority = (request.priority === undefined ? this.options.rehydratePriority : canonicalTier(request.priority, REHYDRATE_PRIORITIES)) as RehydratePriority | undefined;
    if (!priority) throw new ProviderError('invalid', `"${path}": unknown rehydrate priority "${request.priority}" (use Standard or High)`);
    const targetTier = canonicalTier(request.targetTier ?? 'Hot', ONLINE_TIERS);
    if (!targetTier) throw new ProviderError('invalid', `"${path}": cannot rehydrate to "${request.targetTier}" (use one of ${ONLINE_TIERS.join(', ')})`);
    try {
      const before = await blob.getProperties();
      const state = archiveStateOf(before.accessTier, before.archiveStatus);
      if (state?.status === 'restoring') {
        if (priority === 'High' && before.rehydratePriority !== 'High') {
          await blob.setAccessTier(rehydrationTarget(before.archiveStatus) ?? targetTier, { rehydratePriority: 'High' });
        }
        return state;
      }
      if (!ARCHIVE_TIERS.some((t) => t === state?.tier)) return state ?? { status: 'online' };
      await blob.setAccessTier(targetTier, { rehydratePriority: priority });
      const after = await blob.getProperties();
      return archiveStateOf(after.accessTier, after.archiveStatus) ?? { status: 'online' };
    } catch (error) {
      if (isNotFound(error)) throw new ProviderError('not-found', `"${path}" does not exist`);
      throw this.fail(error, path);
    }
  }
}
