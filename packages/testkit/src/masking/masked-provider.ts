import {
  capabilitiesAllow,
  type OptionalOperation,
  type Capabilities,
  type HashAlgorithm,
  type ListOptions,
  type ReadOptions,
  type RemoteEntry,
  type StorageProvider,
  type WriteOptions,
} from '@nimbus/kernel';
import type { Readable } from 'node:stream';
import { reduceCapabilities, type CapabilityMask } from './capability-mask.js';
import { existingSpelling } from './case-insensitive-paths.js';
import { listWithVirtualFolders } from './virtual-folder-listing.js';

/**
 * Wrap `provider` so it looks and behaves like one without the masked capabilities:
 * reduced `capabilities`, the matching optional operations absent (so `supports()` is
 * false), and entries/writes adjusted. This lets the kernel's fallback paths run against
 * a provider that really has the features, as rclone does with feature masking.
 */
export function maskCapabilities(provider: StorageProvider, mask: CapabilityMask): StorageProvider {
  return new MaskedProvider(provider, mask);
}

class MaskedProvider implements StorageProvider {
  readonly capabilities: Capabilities;

  // Optional operations: assigned in the constructor only when they survive the mask.
  copy?: StorageProvider['copy'];
  move?: StorageProvider['move'];
  setMtime?: StorageProvider['setMtime'];
  setMetadata?: StorageProvider['setMetadata'];
  makeFolder?: StorageProvider['makeFolder'];
  removeFolder?: StorageProvider['removeFolder'];
  listVersions?: StorageProvider['listVersions'];
  readVersion?: StorageProvider['readVersion'];
  deleteVersion?: StorageProvider['deleteVersion'];
  requestRestore?: StorageProvider['requestRestore'];
  listBuckets?: StorageProvider['listBuckets'];
  createBucket?: StorageProvider['createBucket'];
  cleanupIncomplete?: StorageProvider['cleanupIncomplete'];
  close?: StorageProvider['close'];

  constructor(
    private readonly inner: StorageProvider,
    private readonly mask: CapabilityMask,
  ) {
    const c = (this.capabilities = reduceCapabilities(inner.capabilities, mask));
    // An operation survives the mask exactly when the kernel's own table says the reduced
    // capabilities allow it: the same rule `supports()` and the conformance suite apply.
    const keeps = (op: OptionalOperation) => typeof inner[op] === 'function' && capabilitiesAllow(c, op);
    if (keeps('copy')) this.copy = async (from, to) => this.stampUploadTime(await inner.copy!(await this.at(from), await this.at(to)));
    if (keeps('move')) this.move = async (from, to) => this.stampUploadTime(await inner.move!(...(await this.movePaths(from, to))));
    if (keeps('setMtime')) this.setMtime = async (path, mtime) => inner.setMtime!(await this.at(path), mtime);
    if (keeps('setMetadata')) this.setMetadata = async (path, metadata) => inner.setMetadata!(await this.at(path), metadata);
    const passedThrough = ['makeFolder', 'removeFolder', 'listVersions', 'readVersion', 'deleteVersion', 'requestRestore', 'listBuckets', 'createBucket', 'cleanupIncomplete'] as const;
    for (const op of passedThrough) {
      if (keeps(op)) (this as Record<OptionalOperation, unknown>)[op] = (inner[op] as (...args: unknown[]) => unknown).bind(inner);
    }
    if (inner.close) this.close = inner.close.bind(inner);
  }

  async *list(given: string, options: ListOptions = {}): AsyncIterable<RemoteEntry[]> {
    const dir = given === '' ? given : await this.at(given);
    if (this.capabilities.folders === 'virtual' && this.inner.capabilities.folders === 'real') {
      yield* listWithVirtualFolders(this.inner, dir, options, (e) => this.adapt(e));
    } else yield* this.adaptPages(this.inner.list(dir, options));
  }

  async stat(path: string): Promise<RemoteEntry | undefined> {
    const entry = await this.inner.stat(await this.at(path));
    // With virtual folders there is no object behind a folder name.
    if (entry?.kind === 'folder' && this.capabilities.folders === 'virtual') return undefined;
    return entry && this.adapt(entry);
  }

  async read(path: string, options?: ReadOptions): Promise<Readable> {
    return this.inner.read(await this.at(path), options);
  }

  async write(path: string, body: Readable, options: WriteOptions = {}): Promise<RemoteEntry> {
    const { mtime, metadata, ...rest } = options;
    const kept: WriteOptions = {
      ...rest,
      ...(mtime !== undefined && this.capabilities.mtime.support !== 'none' ? { mtime } : {}),
      ...(metadata !== undefined && this.capabilities.metadata ? { metadata } : {}),
    };
    return this.adapt(await this.inner.write(await this.at(path), body, kept));
  }

  async delete(path: string): Promise<void> {
    return this.inner.delete(await this.at(path));
  }

  /** The inner path an operation on `path` reaches: on a case-insensitive mask, the existing object whose name differs only by case. */
  private async at(path: string): Promise<string> {
    return this.foldsCase ? existingSpelling(this.inner, path) : path;
  }

  /** A move onto the same object under another case is a rename of that object (a case-only rename). */
  private async movePaths(from: string, to: string): Promise<[string, string]> {
    const [source, target] = [await this.at(from), await this.at(to)];
    if (!this.foldsCase || source !== target) return [source, target];
    const slash = target.lastIndexOf('/');
    return [source, `${target.slice(0, slash + 1)}${to.slice(to.lastIndexOf('/') + 1)}`];
  }

  private get foldsCase(): boolean {
    return this.mask.caseSensitive === false && this.inner.capabilities.caseSensitive;
  }

  private async *adaptPages(pages: AsyncIterable<RemoteEntry[]>): AsyncIterable<RemoteEntry[]> {
    for await (const page of pages) yield page.map((e) => this.adapt(e));
  }

  /** Remove from an entry what the masked provider could not know. */
  private adapt(entry: RemoteEntry): RemoteEntry {
    const { metadata, versionId, hashes, ...rest } = entry;
    const keptHashes = hashes && Object.fromEntries(Object.entries(hashes).filter(([a]) => this.capabilities.hashes.includes(a as HashAlgorithm)));
    return {
      ...rest,
      ...(metadata !== undefined && this.capabilities.metadata ? { metadata } : {}),
      ...(versionId !== undefined && this.capabilities.versioning !== 'none' ? { versionId } : {}),
      ...(keptHashes && Object.keys(keptHashes).length ? { hashes: keptHashes } : {}),
    };
  }

  /**
   * Without mtime support an object's time is when it was stored; a copy or move is a new
   * store, so give it the current time when the inner provider kept the source's.
   */
  private async stampUploadTime(entry: RemoteEntry): Promise<RemoteEntry> {
    if (this.mask.mtime !== 'none' || this.inner.capabilities.mtime.support !== 'any-time' || !this.inner.setMtime) {
      return this.adapt(entry);
    }
    await this.inner.setMtime(entry.path, Date.now());
    return this.adapt((await this.inner.stat(entry.path)) ?? entry);
  }
}
