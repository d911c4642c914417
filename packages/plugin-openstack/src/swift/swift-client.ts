import type { Readable } from 'node:stream';
import type { AuthSession } from '../identity/auth-session.js';
import { drain, header, httpRequest, readBody, type HttpResponse } from './http-request.js';
import { networkError, statusError } from './swift-errors.js';

export interface SwiftRequest {
  readonly method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE' | 'COPY';
  /** Container, or container and object name (unencoded). */
  readonly container: string;
  readonly object?: string;
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** Buffers only: a request answered 401 is sent again with a renewed token. */
  readonly body?: Buffer;
  readonly signal?: AbortSignal;
  /** Statuses that are not errors (default: 2xx). */
  readonly accept?: readonly number[];
  /** Names the operation in error messages. */
  readonly what: string;
}

/** One entry of a JSON container listing. */
export interface SwiftListingEntry {
  readonly name?: string;
  readonly subdir?: string;
  readonly bytes?: number;
  readonly hash?: string;
  readonly last_modified?: string;
  readonly content_type?: string;
  /** Present on Static Large Object manifests (Swift >= 2.19). */
  readonly slo_etag?: string;
}

/** Encodes an object name for a URL path, keeping `/` as a separator. */
export function encodeObjectName(name: string): string {
  return name.split('/').map(encodeURIComponent).join('/');
}

/**
 * A small typed client for the Swift object-store API. Every request carries the
 * session's token; a 401 renews the token and sends the request once more, so a token
 * that expires in the middle of a long segmented upload costs one retried segment.
 */
export class SwiftClient {
  constructor(readonly session: AuthSession) {}

  async request(r: SwiftRequest): Promise<HttpResponse> {
    let credentials = await this.session.credentials();
    for (let attempt = 0; ; attempt++) {
      const response = await this.send(r, credentials.storageUrl, credentials.token);
      if (response.status === 401 && attempt === 0) {
        await drain(response);
        credentials = await this.session.renew(credentials.token);
        continue;
      }
      const accepted = r.accept ? r.accept.includes(response.status) : response.status >= 200 && response.status < 300;
      if (accepted) return response;
      const detail = r.method === 'HEAD' ? '' : (await readBody(response).catch(() => Buffer.alloc(0))).toString('utf8');
      if (r.method === 'HEAD') await drain(response);
      throw statusError(response.status, r.what, detail, header(response, 'retry-after'));
    }
  }

  private async send(r: SwiftRequest, storageUrl: string, token: string): Promise<HttpResponse> {
    // An empty container addresses the account itself (bulk delete, account listing).
    let url = storageUrl.replace(/\/+$/, '');
    if (r.container !== '') url += `/${encodeURIComponent(r.container)}`;
    if (r.object !== undefined) url += `/${encodeObjectName(r.object)}`;
    const query = Object.entries(r.query ?? {}).filter(([, v]) => v !== undefined);
    if (query.length) url += `?${query.map(([k, v]) => (v === '' ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(v!)}`)).join('&')}`;
    const headers: Record<string, string> = { 'X-Auth-Token': token, ...r.headers };
    if (r.body !== undefined) headers['Content-Length'] = String(r.body.length);
    else if (r.method === 'PUT' || r.method === 'POST') headers['Content-Length'] ??= '0';
    try {
      return await httpRequest({ method: r.method, url, headers, ...(r.body !== undefined ? { body: r.body } : {}), ...(r.signal ? { signal: r.signal } : {}) });
    } catch (error) {
      if (r.signal?.aborted) throw r.signal.reason ?? error;
      throw networkError(error, r.what);
    }
  }

  /** A request whose body is not needed. */
  async call(r: SwiftRequest): Promise<HttpResponse> {
    const response = await this.request(r);
    await drain(response);
    return response;
  }

  async json<T>(r: SwiftRequest): Promise<{ response: HttpResponse; value: T | undefined }> {
    const response = await this.request({ ...r, query: { ...r.query, format: 'json' } });
    if (response.status === 204 || response.status === 404) {
      await drain(response);
      return { response, value: undefined };
    }
    const text = (await readBody(response)).toString('utf8');
    return { response, value: text ? (JSON.parse(text) as T) : undefined };
  }

  /** One page of a container listing; undefined when the container does not exist. */
  async listPage(container: string, options: { prefix?: string; delimiter?: string; marker?: string; limit: number }, what: string): Promise<SwiftListingEntry[] | undefined> {
    const { response, value } = await this.json<SwiftListingEntry[]>({
      method: 'GET',
      container,
      query: { prefix: options.prefix || undefined, delimiter: options.delimiter, marker: options.marker, limit: String(options.limit) },
      accept: [200, 204, 404],
      what,
    });
    if (response.status === 404) return undefined;
    return value ?? [];
  }

  /** Streams a body from a response, turning stream failures into classified errors. */
  static bodyOf(response: HttpResponse, what: string): Readable {
    const body = response.body;
    body.on('aborted', () => body.destroy(networkError(Object.assign(new Error('socket hang up')), what) as Error));
    return body;
  }
}
