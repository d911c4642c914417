import { createHash, createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * AWS Signature Version 4 for requests the proxy changes or makes itself. The server
 * behind accepts only the STANDARD storage class, so the proxy must drop
 * `x-amz-storage-class` before forwarding; the client signed that header, so the request
 * is signed again, with the same credential scope and the same payload hash (the body is
 * forwarded untouched: `x-amz-content-sha256` already names its hash or UNSIGNED-PAYLOAD).
 */

const ALGORITHM = 'AWS4-HMAC-SHA256';
const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

interface ParsedAuthorization {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: string[];
}

function parseAuthorization(header: string | undefined): ParsedAuthorization | undefined {
  const match = /^AWS4-HMAC-SHA256\s+Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,]+),\s*Signature=[0-9a-f]+$/i.exec(header ?? '');
  if (!match) return undefined;
  return { accessKeyId: match[1]!, date: match[2]!, region: match[3]!, service: match[4]!, signedHeaders: match[5]!.split(';') };
}

/** RFC 3986 encoding, as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalQuery(rawQuery: string): string {
  if (!rawQuery) return '';
  const pairs = rawQuery
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const at = p.indexOf('=');
      const key = decodeURIComponent(at < 0 ? p : p.slice(0, at));
      const value = at < 0 ? '' : decodeURIComponent(p.slice(at + 1));
      return [escapeUri(key), escapeUri(value)] as const;
    })
    .filter(([key]) => key.toLowerCase() !== 'x-amz-signature');
  pairs.sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return (Array.isArray(value) ? value.join(',') : (value ?? '')).trim().replace(/\s+/g, ' ');
}

function signature(secret: string, scope: { date: string; region: string; service: string }, amzDate: string, canonicalRequest: string): string {
  const credentialScope = `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
  const toSign = [ALGORITHM, amzDate, credentialScope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  let key: Buffer = createHmac('sha256', `AWS4${secret}`).update(scope.date).digest();
  for (const part of [scope.region, scope.service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  return createHmac('sha256', key).update(toSign).digest('hex');
}

function authorizationFor(
  secret: string,
  auth: Omit<ParsedAuthorization, 'signedHeaders'>,
  method: string,
  rawUrl: string,
  headers: IncomingHttpHeaders,
  signedHeaders: string[],
): string {
  const [path = '/', query = ''] = rawUrl.split(/\?(.*)/s);
  const names = [...signedHeaders].sort();
  const canonicalRequest = [
    method,
    path,
    canonicalQuery(query),
    names.map((n) => `${n}:${headerValue(headers, n)}\n`).join(''),
    names.join(';'),
    headerValue(headers, 'x-amz-content-sha256') || EMPTY_SHA256,
  ].join('\n');
  const amzDate = headerValue(headers, 'x-amz-date');
  return `${ALGORITHM} Credential=${auth.accessKeyId}/${auth.date}/${auth.region}/${auth.service}/aws4_request, SignedHeaders=${names.join(';')}, Signature=${signature(secret, auth, amzDate, canonicalRequest)}`;
}

/**
 * The request's headers without `drop`, signed again with `secret`. Undefined when the
 * request is not SigV4-signed in the Authorization header (nothing to re-sign).
 */
export function resignWithout(method: string, rawUrl: string, headers: IncomingHttpHeaders, drop: readonly string[], secret: string): IncomingHttpHeaders | undefined {
  const auth = parseAuthorization(headerValue(headers, 'authorization'));
  if (!auth) return undefined;
  const out: IncomingHttpHeaders = { ...headers };
  for (const name of drop) delete out[name];
  const signedHeaders = auth.signedHeaders.filter((n) => !drop.includes(n));
  out.authorization = authorizationFor(secret, auth, method, rawUrl, out, signedHeaders);
  return out;
}

/**
 * Headers for a request of the proxy's own (a HEAD to learn whether a key exists), signed
 * with the credential of the client request it serves.
 */
export function signOwnRequest(method: string, rawUrl: string, clientHeaders: IncomingHttpHeaders, secret: string, now: Date): IncomingHttpHeaders | undefined {
  const auth = parseAuthorization(headerValue(clientHeaders, 'authorization'));
  if (!auth) return undefined;
  const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const headers: IncomingHttpHeaders = { host: headerValue(clientHeaders, 'host'), 'x-amz-date': amzDate, 'x-amz-content-sha256': EMPTY_SHA256 };
  headers.authorization = authorizationFor(secret, { ...auth, date: amzDate.slice(0, 8) }, method, rawUrl, headers, ['host', 'x-amz-content-sha256', 'x-amz-date']);
  return headers;
}
