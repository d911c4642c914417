import { parseRetryAfter } from '@nimbus/kernel/plugin';
import type { B2AuthorizeResponse, B2Authorization, B2UploadTarget } from './b2-api-types.js';
import { B2ApiError, type B2ErrorMapper } from './b2-errors.js';
import { encodeFileNameForUrl } from './file-names.js';

export interface B2ClientOptions {
  readonly keyId: string;
  readonly applicationKey: string;
  /** Where b2_authorize_account lives, e.g. https://api.backblazeb2.com. */
  readonly authUrl: string;
  /** Learns each new token so it never shows in a message. */
  readonly errors: B2ErrorMapper;
  /** Sent as X-Bz-Test-Mode on every request (B2's artificial failures, for testing). */
  readonly testMode?: string;
}

const API = '/b2api/v3/';

/** Seconds from a Retry-After header (seconds or an HTTP date). */
export function retryAfterOf(headers: Headers): number | undefined {
  return parseRetryAfter(headers.get('retry-after'));
}

/** The B2 error an unsuccessful response carries (HEAD answers have no body: the status decides). */
async function errorOf(response: Response, call: string): Promise<B2ApiError> {
  let code = response.status === 404 ? 'not_found' : response.status === 401 ? 'bad_auth_token' : `http_${response.status}`;
  let message = response.statusText || `HTTP ${response.status}`;
  try {
    const text = await response.text();
    if (text) {
      const body = JSON.parse(text) as { code?: unknown; message?: unknown };
      if (typeof body.code === 'string') code = body.code;
      if (typeof body.message === 'string') message = body.message;
    }
  } catch {
    // Not JSON (a proxy's page): the status and its text stand.
  }
  return new B2ApiError(response.status, code, message, retryAfterOf(response.headers), call);
}

const isTokenRefusal = (error: unknown) =>
  error instanceof B2ApiError && error.status === 401 && (error.code === 'expired_auth_token' || error.code === 'bad_auth_token');

/**
 * A small typed client for B2's native API over Node's fetch (whose connection pool keeps
 * sockets alive between calls). It authorizes lazily, shares one re-authorization among
 * concurrent callers, and re-authorizes once and retries when B2 answers 401
 * expired_auth_token (tokens live at most 24 hours) or bad_auth_token. Failures are thrown
 * as B2ApiError (an answer) or fetch's own errors (no answer); callers map them.
 */
export class B2Client {
  private current: B2Authorization | undefined;
  private pending: Promise<B2Authorization> | undefined;
  /** Authorizations done so far (tests, logs). */
  authorizations = 0;

  private readonly testHeaders: Record<string, string>;

  constructor(private readonly options: B2ClientOptions) {
    options.errors.addSecret(options.applicationKey);
    this.testHeaders = options.testMode ? { 'X-Bz-Test-Mode': options.testMode } : {};
  }

  async authorization(): Promise<B2Authorization> {
    return this.current ?? this.reauthorize(undefined);
  }

  /** A new authorization, unless one newer than the refused token exists already. */
  reauthorize(refusedToken: string | undefined): Promise<B2Authorization> {
    if (this.current && refusedToken !== undefined && this.current.authorizationToken !== refusedToken) return Promise.resolve(this.current);
    this.pending ??= this.authorize().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async authorize(): Promise<B2Authorization> {
    const basic = Buffer.from(`${this.options.keyId}:${this.options.applicationKey}`).toString('base64');
    const response = await fetch(new URL(`${API}b2_authorize_account`, this.options.authUrl), { headers: { Authorization: `Basic ${basic}` } });
    if (!response.ok) throw await errorOf(response, 'b2_authorize_account');
    const body = (await response.json()) as B2AuthorizeResponse;
    const api = body.apiInfo.storageApi;
    this.options.errors.addSecret(body.authorizationToken);
    this.authorizations++;
    this.current = {
      accountId: body.accountId,
      authorizationToken: body.authorizationToken,
      apiUrl: api.apiUrl,
      downloadUrl: api.downloadUrl,
      recommendedPartSize: api.recommendedPartSize,
      absoluteMinimumPartSize: api.absoluteMinimumPartSize,
      ...(api.bucketId ? { allowedBucketId: api.bucketId } : {}),
      ...(api.bucketName ? { allowedBucketName: api.bucketName } : {}),
      ...(api.namePrefix ? { namePrefix: api.namePrefix } : {}),
    };
    return this.current;
  }

  /** Run `request` with the account token, re-authorizing once if B2 refuses the token. */
  private async withToken<T>(request: (auth: B2Authorization) => Promise<T>): Promise<T> {
    const auth = await this.authorization();
    try {
      return await request(auth);
    } catch (error) {
      if (!isTokenRefusal(error)) throw error;
      return request(await this.reauthorize(auth.authorizationToken));
    }
  }

  /** One JSON API call (POST {apiUrl}/b2api/v3/{name}). */
  call<T>(name: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
    return this.withToken(async (auth) => {
      const response = await fetch(`${auth.apiUrl}${API}${name}`, {
        method: 'POST',
        headers: { Authorization: auth.authorizationToken, 'Content-Type': 'application/json', ...this.testHeaders },
        body: JSON.stringify(body),
        ...(signal ? { signal } : {}),
      });
      if (!response.ok) throw await errorOf(response, name);
      return (await response.json()) as T;
    });
  }

  /** b2_download_file_by_name (GET, or HEAD for the headers alone). The caller reads the body. */
  downloadByName(bucketName: string, fileName: string, options: { method?: 'GET' | 'HEAD'; range?: string; signal?: AbortSignal } = {}): Promise<Response> {
    return this.download('b2_download_file_by_name', (auth) => `${auth.downloadUrl}/file/${encodeURIComponent(bucketName)}/${encodeFileNameForUrl(fileName)}`, options);
  }

  /** b2_download_file_by_id: one version. */
  downloadById(fileId: string, options: { range?: string; signal?: AbortSignal } = {}): Promise<Response> {
    return this.download('b2_download_file_by_id', (auth) => `${auth.downloadUrl}${API}b2_download_file_by_id?fileId=${encodeURIComponent(fileId)}`, options);
  }

  private download(call: string, urlOf: (auth: B2Authorization) => string, options: { method?: 'GET' | 'HEAD'; range?: string; signal?: AbortSignal }): Promise<Response> {
    return this.withToken(async (auth) => {
      const response = await fetch(urlOf(auth), {
        method: options.method ?? 'GET',
        headers: { Authorization: auth.authorizationToken, ...(options.range ? { Range: options.range } : {}), ...this.testHeaders },
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (!response.ok) throw await errorOf(response, call);
      return response;
    });
  }

  /** POST a body to an upload URL with its own token (b2_upload_file, b2_upload_part). No re-authorization here: a refused upload token means "get a new upload URL". */
  async upload<T>(call: string, target: B2UploadTarget, headers: Record<string, string>, body: Buffer, signal?: AbortSignal): Promise<T> {
    const response = await fetch(target.uploadUrl, {
      method: 'POST',
      headers: { Authorization: target.authorizationToken, ...headers, ...this.testHeaders },
      body: new Uint8Array(body.buffer, body.byteOffset, body.length),
      ...(signal ? { signal } : {}),
    });
    if (!response.ok) throw await errorOf(response, call);
    return (await response.json()) as T;
  }
}
