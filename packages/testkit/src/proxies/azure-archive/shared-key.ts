import { createHmac } from 'node:crypto';

/** Headers whose values enter a Shared Key signature in this order (blank when absent). */
const STANDARD_HEADERS = [
  'content-encoding', 'content-language', 'content-length', 'content-md5', 'content-type', 'date',
  'if-modified-since', 'if-match', 'if-none-match', 'if-unmodified-since', 'range',
];

/**
 * The `Authorization: SharedKey` value for a request to the Blob service, computed as
 * Azure documents it ("Authorize with Shared Key"). Used by the archive proxy to make its
 * own requests to Azurite (read a blob's real tier, finish a rehydration).
 * `headers` must hold lower-case names, including x-ms-date and x-ms-version.
 */
export function sharedKeyAuthorization(
  method: string,
  url: URL,
  headers: Readonly<Record<string, string>>,
  account: string,
  key: string,
): string {
  const standard = STANDARD_HEADERS.map((name) => (name === 'content-length' && headers[name] === '0' ? '' : (headers[name] ?? '')));
  const msHeaders = Object.keys(headers)
    .filter((name) => name.startsWith('x-ms-'))
    .sort()
    .map((name) => `${name}:${headers[name]!.trim()}\n`)
    .join('');
  const params = new Map<string, string[]>();
  for (const [name, value] of url.searchParams) params.set(name.toLowerCase(), [...(params.get(name.toLowerCase()) ?? []), value]);
  const query = [...params.keys()].sort().map((name) => `\n${name}:${params.get(name)!.sort().join(',')}`).join('');
  const stringToSign = `${method.toUpperCase()}\n${standard.join('\n')}\n${msHeaders}/${account}${url.pathname}${query}`;
  const signature = createHmac('sha256', Buffer.from(key, 'base64')).update(stringToSign, 'utf8').digest('base64');
  return `SharedKey ${account}:${signature}`;
}
