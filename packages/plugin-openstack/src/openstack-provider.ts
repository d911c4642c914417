import {
  ProviderError, parentOf, uploadInParts, type Capabilities, type ListOptions, type Logger, type ReadOptions, type RemoteEntry,
  type StorageProvider, type WriteOptions,
  withToolMtime,
} from '@nimbus/kernel/plugin';
import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { entryFromHeaders, entryFromListing } from './entries.js';
import { discard, LargeObjects, type ManifestSegment } from './large-objects.js';
import { metadataToHeaders } from './metadata-headers.js';
import { removeOrphanSegments } from './orphan-segments.js';
import type { RemoteRoot } from './remote-root.js';
import { SegmentUploadProtocol } from './segment-upload-protocol.js';
import { SwiftClient } from './swift/swift-client.js';

/** Swift's limit on object names (swift.common.constraints.MAX_OBJECT_NAME_LENGTH). */
const MAX_OBJECT_NAME_BYTES = 1024;

export interface OpenstackProviderOptions {
  readonly root: RemoteRoot;
  readonly segmentsContainer: string;
  readonly largeFileThreshold: number;
  readonly segmentSize: number;
  readonly segmentConcurrency: number;
  readonly maxSegments: number;
  readonly orphanGraceMs: number;
  readonly capabilities: Capabilities;
  readonly logger?: Logger;
}

/** A Swift container (below an optional folder) as a Nimbus StorageProvider. */
export class OpenstackProvider implements StorageProvider {
  readonly capabilities: Capabilities;
  readonly largeObjects: LargeObjects;
  private segmentsContainerReady?: Promise<void>;

  constructor(readonly client: SwiftClient, private readonly o: OpenstackProviderOptions) {
    this.capabilities = o.capabilities;
    this.largeObjects = new LargeObjects(client);
  }

  private get container(): string {
    return this.o.root.container;
  }

  private objectName(path: string): string {
    const name = this.o.root.objectName(path);
    if (Buffer.byteLength(name) > MAX_OBJECT_NAME_BYTES) {
      throw new ProviderError('invalid', `"${path}" is too long for Swift (object names are at most ${MAX_OBJECT_NAME_BYTES} bytes with the folder)`);
    }
    return name;
  }

  async *list(dir: string, options: ListOptions = {}): AsyncIterable<RemoteEntry[]> {
    const prefix = this.o.root.folderPrefix(dir);
    const limit = Math.min(Math.max(options.pageSize ?? 1000, 1), 10_000);
    let marker: string | undefined;
    for (;;) {
      const page = await this.client.listPage(
        this.container,
        { prefix, limit, ...(options.recursive ? {} : { delimiter: '/' }), ...(marker ? { marker } : {}) },
        `list "${dir}"`,
      );
      if (!page?.length) return;
      const entries: RemoteEntry[] = [];
      for (const e of page) {
        if (e.subdir !== undefined) {
          const path = this.o.root.pathOf(e.subdir);
          if (path) entries.push({ path, kind: 'folder', size: 0 });
        } else if (e.name !== undefined && !e.name.endsWith('/')) {
          entries.push(entryFromListing(this.o.root.pathOf(e.name), e));
        }
      }
      if (entries.length) yield entries;
      if (page.length < limit) return;
      const last = page.at(-1)!;
      marker = last.subdir ?? last.name;
    }
  }

  async stat(path: string): Promise<RemoteEntry | undefined> {
    if (path === '') return undefined;
    const response = await this.client.call({ method: 'HEAD', container: this.container, object: this.objectName(path), accept: [200, 204, 404], what: `stat "${path}"` });
    return response.status === 404 ? undefined : entryFromHeaders(path, response.headers);
  }

  async read(path: string, options: ReadOptions = {}): Promise<Readable> {
    const range = options.range;
    const headers: Record<string, string> = range ? { Range: `bytes=${range.start}-${range.end ?? ''}` } : {};
    const response = await this.client.request({ method: 'GET', container: this.container, object: this.objectName(path), headers, what: `read "${path}"` });
    return SwiftClient.bodyOf(response, `read "${path}"`);
  }

  async write(path: string, body: Readable, options: WriteOptions = {}): Promise<RemoteEntry> {
    options.signal?.throwIfAborted();
    const name = this.objectName(path);
    // rclone reads the original's time from X-Object-Meta-Mtime (decimal seconds), besides Nimbus's own key.
    const metadataHeaders = metadataToHeaders(withToolMtime(options.metadata, 'epoch-seconds'));
    const { largeFileThreshold: threshold, segmentSize } = this.o;
    const known = options.size;
    // Bodies below the threshold go up in one PUT; others in segments of segmentSize. Of a body
    // of unknown size, the first threshold bytes decide (then they are its first segment).
    const sizeOf = known !== undefined ? (known < threshold ? () => threshold : () => segmentSize) : (n: number) => (n === 1 ? threshold : segmentSize);
    const protocol = new SegmentUploadProtocol({
      client: this.client,
      largeObjects: this.largeObjects,
      container: this.container,
      name,
      path,
      segmentsContainer: this.o.segmentsContainer,
      segmentFolder: this.o.root.folderPrefix(parentOf(path)),
      maxSegments: this.o.maxSegments,
      metadataHeaders,
      metadata: options.metadata ?? {},
      ensureSegmentsContainer: () => this.ensureSegmentsContainer(),
      putWhole: (data, signal) => this.putWhole(path, name, data, metadataHeaders, { ...options, signal }),
      deleteReplacedSegments: (segments) => this.deleteReplacedSegments(segments),
    });
    const sent = await uploadInParts(protocol, body, {
      path,
      ...(known !== undefined ? { size: known } : {}),
      sizeOf,
      partConcurrency: this.o.segmentConcurrency,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.resume ? { resume: options.resume } : {}),
      ...(options.pacer ? { pacer: options.pacer } : {}),
    });
    return sent.result;
  }

  private checkSize(path: string, actual: number, expected: number | undefined): void {
    if (expected !== undefined && actual !== expected) {
      throw new ProviderError('conflict', `"${path}": the body had ${actual} bytes, ${expected} were announced (the file changed while it was read?)`);
    }
  }

  /**
   * One PUT, first with `If-None-Match: *`: a new path (every file of a first backup) costs
   * one request. When an object is there (412), it may be a large object whose segments
   * must go once it is replaced, so look at it first, then PUT again.
   */
  private async putWhole(path: string, name: string, data: Buffer, metadataHeaders: Record<string, string>, options: WriteOptions): Promise<RemoteEntry> {
    this.checkSize(path, data.length, options.size);
    const md5 = createHash('md5').update(data).digest('hex');
    const put = (extra: Record<string, string>) =>
      this.client.call({
        method: 'PUT', container: this.container, object: name, body: data, accept: [201, 412],
        headers: { ETag: md5, ...metadataHeaders, ...extra }, ...(options.signal ? { signal: options.signal } : {}), what: `upload "${path}"`,
      });
    let response = await put({ 'If-None-Match': '*' });
    let replaced: ManifestSegment[] = [];
    if (response.status === 412) {
      replaced = await this.largeObjects.segmentsOf(this.container, name);
      response = await put({});
      if (response.status === 412) throw new ProviderError('conflict', `upload "${path}": HTTP 412 (precondition failed)`);
    }
    await this.deleteReplacedSegments(replaced);
    const modified = Date.parse(String(response.headers['last-modified'] ?? ''));
    return {
      path, kind: 'file', size: data.length, mtime: Number.isNaN(modified) ? Date.now() : modified,
      hashes: { md5 }, metadata: { ...(options.metadata ?? {}) },
    };
  }

  private async deleteReplacedSegments(segments: readonly ManifestSegment[]): Promise<void> {
    if (!segments.length) return;
    await this.largeObjects.deleteAll(segments.map((s) => s.path)).catch((error) => {
      // Harmless: cleanupIncomplete removes segments no manifest refers to.
      this.o.logger?.warn(`openstack: old segments of a replaced large file were not deleted (${(error as Error).message})`);
    });
  }

  private ensureSegmentsContainer(): Promise<void> {
    this.segmentsContainerReady ??= this.client
      .call({ method: 'PUT', container: this.o.segmentsContainer, what: `create the segments container "${this.o.segmentsContainer}"` })
      .then(() => undefined, (error) => {
        this.segmentsContainerReady = undefined;
        throw error;
      });
    return this.segmentsContainerReady;
  }

  async delete(path: string): Promise<void> {
    const name = this.objectName(path);
    const head = await this.client.call({ method: 'HEAD', container: this.container, object: name, accept: [200, 204, 404], what: `stat "${path}"` });
    if (head.status === 404) return;
    if (head.headers['x-static-large-object']?.toString().toLowerCase() === 'true') {
      await this.largeObjects.deleteWithSegments(this.container, name);
      return;
    }
    await this.client.call({ method: 'DELETE', container: this.container, object: name, accept: [204, 200, 404], what: `delete "${path}"` });
  }

  async copy(from: string, to: string): Promise<RemoteEntry> {
    const source = this.objectName(from);
    const target = this.objectName(to);
    const head = await this.client.call({ method: 'HEAD', container: this.container, object: source, accept: [200, 204, 404], what: `stat "${from}"` });
    if (head.status === 404) throw new ProviderError('not-found', `copy: "${from}" does not exist`);
    const previous = this.largeObjects.segmentsOf(this.container, target);
    if (String(head.headers['x-static-large-object']).toLowerCase() === 'true') {
      await previous;
      await this.copyLargeObject(from, to, target, head.headers);
    } else {
      await previous;
      await this.client.call({
        method: 'PUT', container: this.container, object: target,
        headers: { 'X-Copy-From': `/${encodeURIComponent(this.container)}/${source.split('/').map(encodeURIComponent).join('/')}` },
        what: `copy "${from}" to "${to}"`,
      });
    }
    await this.deleteReplacedSegments(await previous);
    return (await this.stat(to)) ?? { path: to, kind: 'file', size: Number(head.headers['content-length'] ?? 0) };
  }

  /** A copy of a large file gets segments of its own, so deleting either never breaks the other. */
  private async copyLargeObject(from: string, to: string, target: string, headers: Record<string, unknown>): Promise<void> {
    const manifest = await this.largeObjects.manifest(this.container, this.objectName(from));
    const folder = this.o.root.folderPrefix(parentOf(to));
    const guid = randomUUID().toUpperCase();
    const copied: ManifestSegment[] = [];
    try {
      await Promise.all(manifest.map(async (segment, i) => {
        const name = `${folder}${guid}.Part${i + 1}.DO_NOT_REMOVE`;
        await this.client.call({
          method: 'PUT', container: this.o.segmentsContainer, object: name,
          headers: { 'X-Copy-From': segment.path.split('/').map(encodeURIComponent).join('/') }, what: `copy a segment of "${from}"`,
        });
        copied[i] = { path: `/${this.o.segmentsContainer}/${name}`, etag: segment.etag, size_bytes: segment.size_bytes };
      }));
      const metadata = Object.fromEntries(Object.entries(headers).filter(([k]) => k.startsWith('x-object-meta-')).map(([k, v]) => [k, String(v)]));
      await this.client.call({
        method: 'PUT', container: this.container, object: target, query: { 'multipart-manifest': 'put' },
        body: Buffer.from(JSON.stringify(copied)), headers: { 'Content-Type': String(headers['content-type'] ?? 'application/octet-stream'), ...metadata },
        what: `copy "${from}" to "${to}"`,
      });
    } catch (error) {
      await discard(this.largeObjects, copied);
      throw error;
    }
  }

  /**
   * Server-side copy, then delete of the source. A large file's manifest is copied as a
   * manifest (`?multipart-manifest=get`) and the old one deleted without its segments:
   * the segments stay where they were uploaded.
   */
  async move(from: string, to: string): Promise<RemoteEntry> {
    const source = this.objectName(from);
    const target = this.objectName(to);
    const previous = this.largeObjects.segmentsOf(this.container, target);
    previous.catch(() => undefined);
    const copied = await this.client.call({
      method: 'PUT', container: this.container, object: target, query: { 'multipart-manifest': 'get' },
      headers: { 'X-Copy-From': `/${encodeURIComponent(this.container)}/${source.split('/').map(encodeURIComponent).join('/')}` },
      accept: [201, 404], what: `move "${from}" to "${to}"`,
    });
    if (copied.status === 404) throw new ProviderError('not-found', `move: "${from}" does not exist`);
    const replaced = await previous;
    await this.client.call({ method: 'DELETE', container: this.container, object: source, accept: [204, 200, 404], what: `move "${from}": delete the source` });
    await this.deleteReplacedSegments(replaced);
    return (await this.stat(to)) ?? { path: to, kind: 'file', size: 0 };
  }

  async setMetadata(path: string, metadata: Readonly<Record<string, string>>): Promise<void> {
    // POST replaces every X-Object-Meta-* header and keeps the content (and an SLO's manifest flag).
    await this.client.call({ method: 'POST', container: this.container, object: this.objectName(path), headers: metadataToHeaders(withToolMtime(metadata, 'epoch-seconds')), what: `set metadata of "${path}"` });
  }

  /**
   * Removes segments no manifest below the root refers to (killed uploads, replaced files).
   * Per the provider contract no write to this destination is running, so every
   * unreferenced segment is an orphan; `orphanSegmentGraceMinutes` spares young ones when
   * other machines may be uploading to the same place.
   */
  cleanupIncomplete(): Promise<number> {
    return removeOrphanSegments(this.client, this.largeObjects, this.o.root, this.o.segmentsContainer, this.o.orphanGraceMs);
  }

  async close(): Promise<void> {}
}
