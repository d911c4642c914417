/**
 * Service URLs: the account's endpoint, optionally carrying a SAS (query string with a
 * `sig`) and then also the container. Path-style endpoints (the emulator, IP addresses,
 * localhost) put the account name in the path: http://127.0.0.1:10000/devstoreaccount1.
 */

/** Hosts and ports the Azure SDK itself treats as path-style (account name in the path). */
const PATH_STYLE_PORTS = new Set(['10000', '10001', '10002', '10003', '10004', '10100', '10101', '10102', '10103', '10104', '11000', '11001', '11002', '11003', '11004', '11100', '11101', '11102', '11103', '11104']);

export function isPathStyle(url: URL): boolean {
  const host = url.hostname;
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith('[') || host === 'localhost' || host === 'host.docker.internal' || PATH_STYLE_PORTS.has(url.port);
}

export interface ParsedServiceUrl {
  /** The account endpoint, no query, no trailing slash. */
  readonly endpoint: string;
  /** The container named in the URL's path, if any. */
  readonly container?: string;
  /** True when the query string is a SAS (it has a signature). */
  readonly hasSas: boolean;
  /** Path segments after the account endpoint and container (must be none). */
  readonly extraPath: string;
}

/** Why `text` is not a usable service URL, or undefined. Never echoes a query string. */
export function serviceUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    const looksLikeSuffix = /^[a-z0-9.-]+\.[a-z]{2,}$/i.test(text.trim());
    return looksLikeSuffix
      ? `"${text.trim()}" is a domain, not a full URL: give the whole endpoint, e.g. https://<account>.blob.${text.trim().replace(/^blob\./, '')}`
      : 'is not a URL: give the whole endpoint, e.g. https://<account>.blob.core.windows.net';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `must start with https:// (or http:// for an emulator), not ${url.protocol}//`;
  if (!url.hostname) return 'has no host name';
  if (url.username || url.password) return 'must not carry a user name or password';
  return undefined;
}

export function parseServiceUrl(text: string): ParsedServiceUrl {
  const url = new URL(text);
  const segments = url.pathname.split('/').filter((s) => s !== '');
  const accountSegments = isPathStyle(url) ? segments.slice(0, 1) : [];
  const rest = segments.slice(accountSegments.length);
  const endpoint = `${url.protocol}//${url.host}${accountSegments.length ? `/${accountSegments[0]}` : ''}`;
  return {
    endpoint,
    ...(rest[0] !== undefined ? { container: decodeURIComponent(rest[0]) } : {}),
    hasSas: url.searchParams.has('sig'),
    extraPath: rest.slice(1).join('/'),
  };
}

/** The SAS query string of a service URL ('' when none). */
export function sasQueryOf(text: string): string {
  return new URL(text).search.replace(/^\?/, '');
}
