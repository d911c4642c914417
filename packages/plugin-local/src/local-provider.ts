import {
  ProviderError,
  parentOf,
  type ListOptions,
  type ReadOptions,
  type RemoteEntry,
  type StorageProvider,
  type WriteOptions,
} from '@nimbus/kernel/plugin';
import { constants } from 'node:fs';
import { copyFile, lstat, mkdir, open, opendir, rename, rm, rmdir, unlink, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { writeAtomically } from './atomic-write.js';
import { LOCAL_CAPABILITIES } from './capabilities.js';
import { entryAt } from './entries.js';
import { hasCode, toProviderError } from './fs-errors.js';
import { isPartialName, partialPathFor } from './partial-files.js';
import { RootPaths } from './root-paths.js';
import { walkPages } from './walk-pages.js';

const DEFAULT_PAGE_SIZE = 1000;

/**
 * A folder on this machine acting as the cloud: remote paths map to files and real
 * folders below `root`. Writes are atomic (temp file + rename), and nothing outside
 * `root` can be reached through a remote path.
 */
export class LocalProvider implements StorageProvider {
  readonly capabilities = LOCAL_CAPABILITIES;
  private readonly paths: RootPaths;

  /**
   * `root`: an absolute, symlink-free folder path. It may be missing (a dry run's
   * destination): reads then find nothing, and the first write creates it.
   */
  constructor(readonly root: string, private readonly fsync = false) {
    this.paths = new RootPaths(root);
  }

  list(dir: string, options: ListOptions = {}): AsyncIterable<RemoteEntry[]> {
    this.paths.toNative(dir); // refuse a bad path now, not at the first page
    const pageSize = Math.max(1, Math.floor(options.pageSize ?? DEFAULT_PAGE_SIZE));
    return this.mapErrors(walkPages(this.paths, dir, { recursive: options.recursive === true, pageSize }), dir);
  }

  async stat(path: string): Promise<RemoteEntry | undefined> {
    const native = this.paths.toNative(path);
    return this.run(path, () => entryAt(native, path));
  }

  async read(path: string, options: ReadOptions = {}): Promise<Readable> {
    const native = this.paths.toNative(path);
    const range = checkRange(path, options.range);
    return this.run(path, async () => {
      // Open now so a missing file rejects here rather than as a later stream error.
      const handle = await open(native, 'r');
      if ((await handle.stat()).isDirectory()) {
        await handle.close();
        throw new ProviderError('not-found', `"${path}" is a folder, not a file`);
      }
      return handle.createReadStream(range);
    });
  }

  async write(path: string, body: Readable, options: WriteOptions = {}): Promise<RemoteEntry> {
    const target = this.fileTarget(path);
    return this.run(path, async () => {
      await this.makeParents(path, target);
      let size: number;
      try {
        size = await writeAtomically(target, body, { ...options, fsync: this.fsync });
      } catch (error) {
        // The folder went away behind our back (it was known): forget it so the next try makes it.
        if (hasCode(error, 'ENOENT')) this.knownFolders.delete(dirname(target));
        throw error;
      }
      // The mtime we set and the bytes we wrote are what an lstat would say (mtimes keep
      // whole milliseconds here): one system call per file saved.
      if (options.mtime !== undefined) return { path, kind: 'file', size, mtime: new Date(options.mtime).getTime() };
      return this.entryOrFail(path);
    });
  }

  async delete(path: string): Promise<void> {
    const native = this.fileTarget(path);
    await this.run(path, async () => {
      try {
        await unlink(native);
      } catch (error) {
        if (hasCode(error, 'ENOENT', 'ENOTDIR')) return;
        // Folders are removed explicitly (removeFolder), never as a side effect.
        if (hasCode(error, 'EISDIR') || (hasCode(error, 'EPERM') && (await lstat(native)).isDirectory())) {
          throw new ProviderError('invalid', `"${path}" is a folder: use removeFolder`);
        }
        throw error;
      }
    });
  }

  async copy(from: string, to: string): Promise<RemoteEntry> {
    const source = this.fileTarget(from);
    const target = this.fileTarget(to);
    return this.run(from, async () => {
      const stats = await lstat(source);
      if (!stats.isFile()) throw new ProviderError('not-found', `"${from}" is not a file`);
      await this.makeParents(to, target);
      // Copy beside the target then rename, so the copy appears complete or not at all.
      const temp = partialPathFor(target);
      try {
        await copyFile(source, temp, constants.COPYFILE_FICLONE);
        await utimes(temp, stats.atime, stats.mtime);
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      return this.entryOrFail(to);
    });
  }

  async move(from: string, to: string): Promise<RemoteEntry> {
    const source = this.fileTarget(from);
    const target = this.fileTarget(to);
    return this.run(from, async () => {
      await lstat(source); // a missing source is not-found, before any folder gets created
      await this.makeParents(to, target);
      await rename(source, target);
      return this.entryOrFail(to);
    });
  }

  async setMtime(path: string, mtime: number): Promise<void> {
    const native = this.fileTarget(path);
    await this.run(path, async () => {
      const { atime } = await lstat(native);
      await utimes(native, atime, new Date(mtime));
    });
  }

  async makeFolder(path: string): Promise<void> {
    const native = this.paths.toNative(path);
    await this.run(path, async () => {
      try {
        await mkdir(native, { recursive: true });
      } catch (error) {
        if (hasCode(error, 'EEXIST', 'ENOTDIR')) throw new ProviderError('conflict', `"${path}": a file is in the way of this folder`);
        throw error;
      }
    });
  }

  async removeFolder(path: string): Promise<void> {
    if (path === '') throw new ProviderError('invalid', 'the destination root itself cannot be removed');
    const native = this.paths.toNative(path);
    for (const known of this.knownFolders) if (known === native || known.startsWith(`${native}/`)) this.knownFolders.delete(known);
    await this.run(path, async () => {
      try {
        await rmdir(native);
      } catch (error) {
        if (hasCode(error, 'ENOENT')) return;
        if (hasCode(error, 'ENOTEMPTY', 'EEXIST')) throw new ProviderError('conflict', `folder "${path}" is not empty`);
        throw error;
      }
    });
  }

  /**
   * Remove temp files left by uploads that never finished (a killed run). Must not run
   * while writes to this destination are in flight: their temp files would go too.
   */
  async cleanupIncomplete(): Promise<number> {
    let removed = 0;
    const toVisit = [this.root];
    while (toVisit.length) {
      const folder = toVisit.pop()!;
      const handle = await opendir(folder).catch((error: unknown) => {
        if (hasCode(error, 'ENOENT', 'ENOTDIR')) return undefined; // gone meanwhile, or a dry run's root
        throw error;
      });
      if (!handle) continue;
      for await (const dirent of handle) {
        const native = join(folder, dirent.name);
        if (dirent.isDirectory()) toVisit.push(native);
        else if (isPartialName(dirent.name)) {
          await rm(native, { force: true });
          removed++;
        }
      }
    }
    return removed;
  }

  async close(): Promise<void> {
    // Nothing held open between calls.
  }

  /** Native path for an object; the root itself is a folder, never an object. */
  private fileTarget(path: string): string {
    if (path === '') throw new ProviderError('invalid', 'the destination root is a folder, not an object');
    return this.paths.toNative(path);
  }

  /** Folders this connection made or found: a backup of 10k files needs one mkdir per folder, not per file. */
  private readonly knownFolders = new Set<string>();

  private async makeParents(path: string, native: string): Promise<void> {
    const folder = dirname(native);
    if (this.knownFolders.has(folder)) return;
    try {
      await mkdir(folder, { recursive: true });
      this.knownFolders.add(folder);
    } catch (error) {
      if (hasCode(error, 'EEXIST', 'ENOTDIR')) {
        throw new ProviderError('conflict', `"${path}": a file is in the way of folder "${parentOf(path)}"`);
      }
      throw error;
    }
  }

  private async entryOrFail(path: string): Promise<RemoteEntry> {
    const entry = await entryAt(this.paths.toNative(path), path);
    if (!entry) throw new ProviderError('transient', `"${path}" vanished right after it was written`);
    return entry;
  }

  /** Run a file-system operation, classifying what it throws. */
  private async run<T>(path: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw toProviderError(error, path);
    }
  }

  private async *mapErrors(pages: AsyncIterable<RemoteEntry[]>, dir: string): AsyncIterable<RemoteEntry[]> {
    try {
      yield* pages;
    } catch (error) {
      throw toProviderError(error, dir);
    }
  }
}

function checkRange(path: string, range: ReadOptions['range']): { start?: number; end?: number } {
  if (!range) return {};
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0 || (end !== undefined && (!Number.isSafeInteger(end) || end < start))) {
    throw new ProviderError('invalid', `"${path}": bad byte range ${start}-${end ?? ''}`);
  }
  return end === undefined ? { start } : { start, end };
}
