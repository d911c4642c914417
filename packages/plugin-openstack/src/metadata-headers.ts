import { ProviderError } from '@nimbus/kernel/plugin';
import type { IncomingHttpHeaders } from 'node:http';

const PREFIX = 'x-object-meta-';
/** Characters a header name may hold (RFC 7230 token), minus `_`, which WSGI turns into `-`. */
const KEY = /^[a-z0-9!#$&'*+.^`|~-]+$/;

/**
 * Custom metadata as X-Object-Meta-* headers. Keys are stored lower-case (HTTP header names
 * are case-insensitive). Values holding `%` or anything outside printable ASCII are
 * percent-encoded, as Swift recommends for non-ASCII metadata, and decoded on the way back.
 */
export function metadataToHeaders(metadata: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [rawKey, value] of Object.entries(metadata ?? {})) {
    const key = rawKey.toLowerCase();
    if (!KEY.test(key)) throw new ProviderError('invalid', `metadata key "${rawKey}" cannot be a Swift header name (use letters, digits and "-")`);
    headers[`${PREFIX}${key}`] = /^[\x20-\x24\x26-\x7e]*$/.test(value) ? value : encodeURIComponent(value);
  }
  return headers;
}

export function metadataFromHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers)) {
    if (!name.startsWith(PREFIX) || raw === undefined) continue;
    const value = Array.isArray(raw) ? raw.join(',') : raw;
    metadata[name.slice(PREFIX.length)] = decodeValue(value);
  }
  return metadata;
}

function decodeValue(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value; // written by another tool, not percent-encoded
  }
}
