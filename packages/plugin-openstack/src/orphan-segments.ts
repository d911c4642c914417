import { SEGMENT_NAME, type LargeObjects } from './large-objects.js';
import type { RemoteRoot } from './remote-root.js';
import type { SwiftClient, SwiftListingEntry } from './swift/swift-client.js';

const PAGE = 10_000;

async function* listAll(client: SwiftClient, container: string, prefix: string, what: string): AsyncGenerator<SwiftListingEntry> {
  let marker: string | undefined;
  for (;;) {
    const page = await client.listPage(container, { prefix, limit: PAGE, ...(marker ? { marker } : {}) }, what);
    if (!page?.length) return;
    yield* page;
    marker = page.at(-1)!.name;
    if (page.length < PAGE) return;
  }
}

/**
 * Removes orphan segments below the root: segment objects (`<GUID>.Part<N>.DO_NOT_REMOVE`)
 * in the segments container that no Static Large Object manifest below the root refers
 * to, and that are older than `graceMs`. Orphans come from uploads that were killed
 * before their manifest was written, and from manifests replaced or deleted by another
 * tool. Resolves with the number removed.
 */
export async function removeOrphanSegments(client: SwiftClient, largeObjects: LargeObjects, root: RemoteRoot, segmentsContainer: string, graceMs: number): Promise<number> {
  const cutoff = Date.now() - graceMs;
  const candidates: string[] = [];
  for await (const e of listAll(client, segmentsContainer, root.prefix, 'list segments')) {
    if (!e.name || !SEGMENT_NAME.test(e.name)) continue;
    const stored = Date.parse(`${e.last_modified}Z`);
    if (graceMs > 0 && !(stored < cutoff)) continue;
    candidates.push(`/${segmentsContainer}/${e.name}`);
  }
  if (candidates.length === 0) return 0;

  const referenced = new Set<string>();
  for await (const e of listAll(client, root.container, root.prefix, 'list large files')) {
    if (e.slo_etag === undefined || !e.name) continue;
    for (const segment of await largeObjects.manifest(root.container, e.name)) referenced.add(segment.path);
  }
  const orphans = candidates.filter((path) => !referenced.has(path));
  if (orphans.length === 0) return 0;
  await largeObjects.deleteAll(orphans);
  return orphans.length;
}
