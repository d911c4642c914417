import { ProviderError } from '@nimbus/kernel/plugin';
import { readBody } from './swift/http-request.js';
import { encodeObjectName, type SwiftClient } from './swift/swift-client.js';
import { isLargeObject } from './entries.js';

/** One segment of a Static Large Object manifest, in the form the manifest PUT takes. */
export interface ManifestSegment {
  /** `/<container>/<object>`, unencoded. */
  readonly path: string;
  readonly etag: string;
  readonly size_bytes: number;
}

/** Segment names follow the seed's convention: `<GUID>.Part<N>.DO_NOT_REMOVE`. */
export const SEGMENT_NAME = /(^|\/)[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\.Part\d+\.DO_NOT_REMOVE$/;

export function segmentName(folderPrefix: string, guid: string, part: number): string {
  return `${folderPrefix}${guid}.Part${part}.DO_NOT_REMOVE`;
}

/** Static Large Object housekeeping: reading manifests, deleting segments. */
export class LargeObjects {
  constructor(private readonly client: SwiftClient) {}

  /**
   * The segments of the object at `name` if it is a Static Large Object; [] for a plain
   * or missing object.
   */
  async segmentsOf(container: string, name: string): Promise<ManifestSegment[]> {
    const head = await this.client.call({ method: 'HEAD', container, object: name, accept: [200, 204, 404], what: `stat "${name}"` });
    if (head.status === 404 || !isLargeObject(head.headers)) return [];
    return this.manifest(container, name);
  }

  async manifest(container: string, name: string): Promise<ManifestSegment[]> {
    const response = await this.client.request({
      method: 'GET', container, object: name, query: { 'multipart-manifest': 'get', format: 'raw' }, accept: [200, 404], what: `read the manifest of "${name}"`,
    });
    const text = (await readBody(response)).toString('utf8');
    if (response.status === 404) return [];
    try {
      const parsed = JSON.parse(text);
      return Array.isArray(parsed) ? parsed : [];
    } catch {
      return []; // not a manifest after all (replaced meanwhile)
    }
  }

  /**
   * Deletes objects by `/<container>/<object>` path with the bulk middleware, 10,000 per
   * request. Missing ones count as deleted. Resolves with the number deleted.
   */
  async deleteAll(paths: readonly string[]): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < paths.length; i += 10_000) {
      const batch = paths.slice(i, i + 10_000);
      const body = Buffer.from(batch.map((p) => `/${p.replace(/^\//, '').split('/').map(encodeURIComponent).join('/')}`).join('\n'));
      const response = await this.client.request({
        method: 'POST', container: '', query: { 'bulk-delete': '' },
        headers: { 'Content-Type': 'text/plain', Accept: 'application/json' }, body, what: 'delete segments',
      });
      const result = JSON.parse((await readBody(response)).toString('utf8') || '{}');
      const errors: unknown[] = result['Errors'] ?? [];
      if (errors.length) throw new ProviderError('transient', `delete segments: ${errors.length} of ${batch.length} could not be deleted (${String((errors[0] as unknown[])?.[1] ?? '')})`);
      deleted += Number(result['Number Deleted'] ?? 0) + Number(result['Number Not Found'] ?? 0);
    }
    return deleted;
  }

  /** Deletes a manifest and its segments (`?multipart-manifest=delete`). */
  async deleteWithSegments(container: string, name: string): Promise<void> {
    const response = await this.client.request({
      method: 'DELETE', container, object: name, query: { 'multipart-manifest': 'delete' },
      headers: { Accept: 'application/json' }, what: `delete "${name}" and its segments`,
    });
    const result = JSON.parse((await readBody(response)).toString('utf8') || '{}');
    const errors: unknown[][] = result['Errors'] ?? [];
    if (errors.length) throw new ProviderError('transient', `delete "${name}" and its segments: ${String(errors[0]?.[1] ?? 'failed')}`);
  }
}

export { encodeObjectName };

/** Deletes uploaded segments that will never be committed (best effort; cleanupIncomplete removes any left). */
export async function discard(largeObjects: LargeObjects, segments: readonly (ManifestSegment | undefined)[]): Promise<void> {
  const paths = segments.filter((s): s is ManifestSegment => s !== undefined).map((s) => s.path);
  if (paths.length) await largeObjects.deleteAll(paths).catch(() => undefined);
}
