import type { RemoteEntry } from '@nimbus/kernel/plugin';
import type { IncomingHttpHeaders } from 'node:http';
import { metadataFromHeaders } from './metadata-headers.js';
import type { SwiftListingEntry } from './swift/swift-client.js';

/**
 * MD5 of the content, when Swift's ETag is one: plain objects only. A Static Large Object's
 * ETag is the MD5 of its segments' ETags, not of the content, so none is reported for it.
 */
function md5Hashes(etag: string | undefined, isLargeObject: boolean): RemoteEntry['hashes'] | undefined {
  if (isLargeObject || !etag) return undefined;
  const hex = etag.replace(/"/g, '').toLowerCase();
  return /^[0-9a-f]{32}$/.test(hex) ? { md5: hex } : undefined;
}

/** Listing times are UTC with microseconds and no zone: 2026-11-26T11:40:06.300600. */
function listingTime(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

export function entryFromListing(path: string, e: SwiftListingEntry): RemoteEntry {
  const mtime = listingTime(e.last_modified);
  const hashes = md5Hashes(e.hash, e.slo_etag !== undefined);
  return { path, kind: 'file', size: e.bytes ?? 0, ...(mtime !== undefined ? { mtime } : {}), ...(hashes ? { hashes } : {}) };
}

function one(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function isLargeObject(headers: IncomingHttpHeaders): boolean {
  return one(headers, 'x-static-large-object')?.toLowerCase() === 'true' || one(headers, 'x-object-manifest') !== undefined;
}

export function entryFromHeaders(path: string, headers: IncomingHttpHeaders): RemoteEntry {
  const modified = Date.parse(one(headers, 'last-modified') ?? '');
  // X-Timestamp has sub-second precision; Last-Modified only whole seconds.
  const timestamp = Number(one(headers, 'x-timestamp'));
  const mtime = Number.isFinite(timestamp) && timestamp > 0 ? Math.round(timestamp * 1000) : Number.isNaN(modified) ? undefined : modified;
  const hashes = md5Hashes(one(headers, 'etag'), isLargeObject(headers));
  return {
    path,
    kind: 'file',
    size: Number(one(headers, 'content-length') ?? 0),
    ...(mtime !== undefined ? { mtime } : {}),
    ...(hashes ? { hashes } : {}),
    metadata: metadataFromHeaders(headers),
  };
}
