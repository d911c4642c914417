import { ProviderError, type BodyPart, type ChunkedUploadProtocol, type PartReceipt, type RemoteEntry } from '@nimbus/kernel/plugin';
import { createHash, randomUUID } from 'node:crypto';
import { segmentName, type LargeObjects, type ManifestSegment } from './large-objects.js';
import type { SwiftClient } from './swift/swift-client.js';

/** A segmented upload between runs: where its segments are named. */
interface SegmentSession {
  readonly guid: string;
  /** Object-name prefix of the segments: the file's folder below the root, e.g. 'backup/docs/'. */
  readonly folder: string;
}

export interface SegmentUploadTarget {
  readonly client: SwiftClient;
  readonly largeObjects: LargeObjects;
  readonly container: string;
  /** Object name of the file. */
  readonly name: string;
  /** For messages: the path as the caller named it. */
  readonly path: string;
  readonly segmentsContainer: string;
  readonly segmentFolder: string;
  readonly maxSegments: number;
  readonly metadataHeaders: Record<string, string>;
  readonly metadata: Readonly<Record<string, string>>;
  ensureSegmentsContainer(): Promise<void>;
  /** A body below the threshold: one PUT. */
  putWhole(data: Buffer, signal: AbortSignal): Promise<RemoteEntry>;
  /** Segments of the large object this upload replaced: deleted once its manifest is in place. */
  deleteReplacedSegments(segments: readonly ManifestSegment[]): Promise<void>;
}

const PAGE = 10_000;

/**
 * Swift Static Large Objects as the kernel's chunked-upload protocol: each part is a
 * segment object `<folder><GUID>.Part<N>.DO_NOT_REMOVE` in the segments container, checked
 * by its MD5 (ETag); the commit PUTs the manifest, so nothing is visible at the file's path
 * before. A resumed upload lists its segments (name, size, MD5) to know which it holds.
 */
export class SegmentUploadProtocol implements ChunkedUploadProtocol<RemoteEntry> {
  readonly digest = 'md5';
  /**
   * Every segment a PUT was sent for by this process, answered or not, by session: one
   * stored whose answer was lost must go on abort too, and a container listing may not show
   * it yet (Swift updates listings asynchronously).
   */
  private readonly attempted = new Map<string, Set<string>>();

  constructor(private readonly t: SegmentUploadTarget) {}

  putWhole(data: Buffer, _digest: Buffer | undefined, signal: AbortSignal): Promise<RemoteEntry> {
    return this.t.putWhole(data, signal);
  }

  async begin(): Promise<string> {
    await this.t.ensureSegmentsContainer();
    const session: SegmentSession = { guid: randomUUID().toUpperCase(), folder: this.t.segmentFolder };
    return JSON.stringify(session);
  }

  async uploadPart(state: string, part: number, body: BodyPart, signal: AbortSignal): Promise<PartReceipt> {
    const { t } = this;
    if (part > t.maxSegments) {
      throw new ProviderError('invalid', `"${t.path}" needs more than ${t.maxSegments} segments; raise segmentSize`);
    }
    const session = JSON.parse(state) as SegmentSession;
    const name = segmentName(session.folder, session.guid, part);
    const etag = (body.digest ?? createHash('md5').update(body.data).digest()).toString('hex');
    const token = `/${t.segmentsContainer}/${name}`;
    let attempted = this.attempted.get(state);
    if (!attempted) this.attempted.set(state, (attempted = new Set()));
    attempted.add(token);
    await t.client.call({
      method: 'PUT', container: t.segmentsContainer, object: name, body: body.data,
      headers: { ETag: etag, 'Content-Type': 'application/octet-stream' }, signal, what: `upload segment ${part} of "${t.path}"`,
    });
    return { number: part, size: body.data.length, digest: etag, token };
  }

  async commit(_state: string, parts: readonly PartReceipt[], signal: AbortSignal): Promise<RemoteEntry> {
    const { t } = this;
    // A large object being replaced leaves segments behind; learn them before the new manifest lands.
    const previous = await t.largeObjects.segmentsOf(t.container, t.name);
    const manifest: ManifestSegment[] = parts.map((p) => ({ path: p.token, etag: p.digest!, size_bytes: p.size }));
    const response = await t.client.call({
      method: 'PUT', container: t.container, object: t.name, query: { 'multipart-manifest': 'put' },
      body: Buffer.from(JSON.stringify(manifest)), headers: { 'Content-Type': 'application/octet-stream', ...t.metadataHeaders },
      signal, what: `commit the segments of "${t.path}"`,
    });
    await t.deleteReplacedSegments(previous);
    const modified = Date.parse(String(response.headers['last-modified'] ?? ''));
    const size = parts.reduce((sum, p) => sum + p.size, 0);
    return { path: t.path, kind: 'file', size, mtime: Number.isNaN(modified) ? Date.now() : modified, metadata: { ...t.metadata } };
  }

  /** Deletes every segment of the session: those sent here (answered or not) and those listed (best effort). */
  async abort(state: string): Promise<void> {
    const paths = new Set(this.attempted.get(state));
    this.attempted.delete(state);
    const listed = await this.segmentsOf(JSON.parse(state) as SegmentSession).catch(() => []);
    for (const segment of listed) paths.add(segment.token);
    if (paths.size) await this.t.largeObjects.deleteAll([...paths]);
  }

  /** Segments are plain objects and never expire: the session is there as long as they are. */
  async resume(state: string): Promise<readonly PartReceipt[]> {
    return this.segmentsOf(JSON.parse(state) as SegmentSession);
  }

  private async segmentsOf(session: SegmentSession): Promise<PartReceipt[]> {
    const { t } = this;
    const prefix = `${session.folder}${session.guid}.Part`;
    const found: PartReceipt[] = [];
    let marker: string | undefined;
    for (;;) {
      const page = await t.client.listPage(t.segmentsContainer, { prefix, limit: PAGE, ...(marker ? { marker } : {}) }, `list the segments of "${t.path}"`);
      if (!page?.length) return found;
      for (const e of page) {
        const number = Number(e.name?.slice(prefix.length).match(/^(\d+)\.DO_NOT_REMOVE$/)?.[1]);
        if (!e.name || !Number.isInteger(number) || e.bytes === undefined) continue;
        found.push({ number, size: e.bytes, token: `/${t.segmentsContainer}/${e.name}`, ...(e.hash ? { digest: e.hash.toLowerCase() } : {}) });
      }
      marker = page.at(-1)!.name;
      if (page.length < PAGE) return found;
    }
  }
}
