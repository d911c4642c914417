import type { Readable } from 'node:stream';
import type { Capabilities } from '../capabilities/capabilities.js';
import type { RequestPacer } from '../pacer/pacer.js';
import type { ResumableWrite } from '../upload/upload-session-store.js';
import type { ArchiveState, RemoteEntry, RemoteVersion } from './remote-entry.js';

export interface ListOptions {
  /** List the whole subtree instead of one level. */
  readonly recursive?: boolean;
  /** Hint for the page size; providers may return smaller or larger pages. */
  readonly pageSize?: number;
}

export interface ReadOptions {
  /** Inclusive byte range of the stored object. */
  readonly range?: { readonly start: number; readonly end?: number };
}

export interface WriteOptions {
  /** Exact size when known; unknown-size streams must still work. */
  readonly size?: number;
  /** Modification time to record (ms); honoured when Capabilities.mtime.support is not `none`. */
  readonly mtime?: number;
  /** Custom metadata; honoured only when Capabilities.metadata is true. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Storage tier/class for the new object, one of Capabilities.archive.tiers. */
  readonly tier?: string;
  /** Aborts the upload; a partial object must never remain visible. */
  readonly signal?: AbortSignal;
  /** Called with the count of bytes sent so far. */
  readonly onProgress?: (bytesSent: number) => void;
  /**
   * Keep a chunked upload's session where a later write of the same source resumes it
   * (providers with chunkedUpload pass it to the kernel's uploadInParts; others ignore it).
   */
  readonly resume?: ResumableWrite;
  /**
   * The connection's pacer, given to providers with chunkedUpload, which pass it to the
   * kernel's uploadInParts: each request of the upload (every part, the begin, the commit)
   * is paced on its own, so such a write is not paced as a whole (see pacedProvider).
   */
  readonly pacer?: RequestPacer;
}

export interface RestoreRequest {
  /** Days a temporary copy stays readable (temporary-copy model). */
  readonly days?: number;
  /** One of Capabilities.archive.restorePriorities. */
  readonly priority?: string;
  /** Tier to rehydrate to (rehydrate model). */
  readonly targetTier?: string;
}

export interface BucketInfo {
  readonly name: string;
  readonly location?: string;
  readonly createdAt?: number;
}

/**
 * A connection to one account and one bucket/container/drive, rooted at an optional prefix.
 *
 * Required operations work on every provider. Optional ones exist only when the plugin
 * implements them AND declares the matching capability; callers check with `supports()`
 * (see operations.ts) rather than by provider id.
 *
 * Contract (the testkit's conformance suite checks each point):
 * - `write` is atomic as seen by readers: until it resolves, no complete-looking object
 *   exists at `path`, and a failed or aborted write leaves the previous object intact.
 *   It creates missing parent folders itself. A body longer or shorter than `size`
 *   rejects with ProviderError('conflict'). `onProgress` ends at the full size.
 * - `list` yields pages; entries inside a page need not be sorted. Listing a missing
 *   folder yields nothing. With virtual folders a folder entry appears only when a file
 *   lies below it.
 * - Missing objects make `stat` resolve undefined and `read` reject with
 *   ProviderError('not-found'); `delete` of a missing object resolves. `stat` of a folder
 *   returns a folder entry on real-folder providers and may return undefined on virtual ones.
 * - `makeFolder` creates parents and is idempotent; `removeFolder` never removes content
 *   and resolves when the folder is already gone.
 * - Errors are ProviderErrors with a kind (see errors/nimbus-error.ts), including errors
 *   raised inside returned read streams where the provider can classify them.
 * - `cleanupIncomplete` may only be called when no write to this destination is running.
 * - Hashes in RemoteEntry.hashes are lower-case hex for md5, sha1, sha256 and dropbox, and
 *   the service's own encoding (base64) for crc32c and quickxor.
 */
export interface StorageProvider {
  /** Effective capabilities for this connection (declared ones, refined at connect time). */
  readonly capabilities: Capabilities;

  list(dir: string, options?: ListOptions): AsyncIterable<RemoteEntry[]>;
  stat(path: string): Promise<RemoteEntry | undefined>;
  read(path: string, options?: ReadOptions): Promise<Readable>;
  write(path: string, body: Readable, options?: WriteOptions): Promise<RemoteEntry>;
  delete(path: string): Promise<void>;

  // Optional operations, each gated by a capability.
  /** Server-side copy (Capabilities.serverSideCopy). */
  copy?(from: string, to: string): Promise<RemoteEntry>;
  /** Server-side move/rename (Capabilities.serverSideMove). */
  move?(from: string, to: string): Promise<RemoteEntry>;
  /** Change the mtime of an existing object (Capabilities.mtime.support === 'any-time'). */
  setMtime?(path: string, mtime: number): Promise<void>;
  /** Replace custom metadata of an existing object (metadata && !immutable). */
  setMetadata?(path: string, metadata: Readonly<Record<string, string>>): Promise<void>;
  /** Create a folder, empty ones included (folders === 'real'). */
  makeFolder?(path: string): Promise<void>;
  /** Remove an empty folder (folders === 'real'). */
  removeFolder?(path: string): Promise<void>;
  /** Versions of one object, newest first (versioning !== 'none'). */
  listVersions?(path: string): Promise<RemoteVersion[]>;
  readVersion?(path: string, versionId: string, options?: ReadOptions): Promise<Readable>;
  deleteVersion?(path: string, versionId: string): Promise<void>;
  /** Ask for an archived object to be made readable (archive.restore !== 'none'). */
  requestRestore?(path: string, request: RestoreRequest): Promise<ArchiveState>;
  listBuckets?(): Promise<BucketInfo[]>;
  createBucket?(name: string, options?: { location?: string }): Promise<void>;
  /** Clean-up of anything a killed run may have left: orphan multipart uploads, segments, temp files. */
  cleanupIncomplete?(): Promise<number>;

  /** Release sockets, handles and timers. */
  close?(): Promise<void>;
}
