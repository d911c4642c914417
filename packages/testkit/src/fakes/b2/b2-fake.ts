import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeyRules, type KeyRestriction } from './b2-key.js';
import { listFileNames, listFileVersions } from './b2-listing.js';
import { UploadUrls, type UploadToken } from './b2-upload-urls.js';
import { B2Store, checkFileInfo, checkFileName, sha1Hex, type B2Bucket, type StoredVersion } from './b2-store.js';
import { badRequest, B2WireError, decodeHeaderValue, readBody, sendError, sendJson } from './b2-wire.js';

export interface B2FakeOptions {
  /** Application key id and key the fake accepts (defaults: random). */
  readonly keyId?: string;
  readonly applicationKey?: string;
  /** What b2_authorize_account advertises; defaults are B2's own (100 MB and 5 MB). */
  readonly recommendedPartSize?: number;
  readonly absoluteMinimumPartSize?: number;
  /** Buckets that exist from the start (allPrivate). */
  readonly buckets?: readonly string[];
  /** Make the key a restricted application key: one bucket, a name prefix, some capabilities. */
  readonly key?: KeyRestriction;
  /** The storage cap (bytes stored in files and parts) beyond which uploads are refused 403 cap_exceeded. */
  readonly storageCapBytes?: number;
  /** With X-Bz-Test-Mode: fail_some_uploads, every this many uploads fails 503 (default 3). */
  readonly failSomeUploadsEvery?: number;
}

/**
 * "Committed, then the answer was lost": the fake stores the upload or finishes the large
 * file, then breaks the connection (`reset`) or answers 500 instead of the file. A client
 * that takes this for "not stored" and uploads again leaves a duplicate version; one that
 * cancels after a lost finish tries to cancel a file that exists.
 */
export interface LostAnswer {
  readonly count: number;
  /** Which calls: b2_upload_file, b2_upload_part, b2_finish_large_file. */
  readonly calls: readonly string[];
  readonly mode?: 'reset' | 'error-500';
}

export interface InjectedFailure {
  /** How many of the next matching calls fail. */
  readonly count: number;
  /** 503 service_unavailable (default) or 429 too_many_requests, or any other status/code. */
  readonly status?: number;
  readonly code?: string;
  /** Sent as Retry-After. */
  readonly retryAfterSeconds?: number;
  /** Only these calls (e.g. ['b2_upload_part']); default: every call except b2_authorize_account. */
  readonly calls?: readonly string[];
}

export interface B2Fake {
  /** Where clients authorize: the plugin's `apiUrl` (http://127.0.0.1:PORT). */
  readonly url: string;
  readonly keyId: string;
  readonly applicationKey: string;
  readonly accountId: string;
  /** The account's state, for assertions: buckets, versions, unfinished large files. */
  readonly store: B2Store;
  /** Every call answered so far, by B2 operation name (b2_upload_file, b2_download_file_by_name...). */
  callCount(name: string): number;
  readonly calls: ReadonlyMap<string, number>;
  /** Every account and upload token issued so far answers 401 expired_auth_token from now on. */
  expireAuthTokens(): void;
  /** Make the next calls fail with a retryable error (503 with Retry-After, 429...). */
  injectFailures(failure: InjectedFailure): void;
  /** Store the next matching uploads or finishes, then lose their answers. */
  loseAnswers(fault: LostAnswer): void;
  /** How many answers lost so far. */
  readonly lostAnswers: number;
  /** How many error answers the fake sent with this B2 error code (e.g. auth_token_limit). */
  errorCount(code: string): number;
  /** Called after each answered call with its name and how many of that call there were so far. */
  onCall(listener: ((name: string, count: number) => void) | undefined): void;
  /** Create a bucket directly (not through the API). */
  createBucket(name: string): B2Bucket;
  /** Live versions (uploads and hide markers) of one file name in a bucket, newest first. */
  versionsOf(bucketName: string, fileName: string): StoredVersion[];
  close(): Promise<void>;
}

const API = '/b2api/v3/';
const MiB5 = 5_000_000;
/** Calls X-Bz-Test-Mode: force_cap_exceeded refuses. */
const UPLOAD_CALLS = new Set(['b2_get_upload_url', 'b2_get_upload_part_url', 'b2_upload_file', 'b2_upload_part', 'b2_start_large_file']);


/**
 * A wire-level fake of Backblaze B2's native API (v3) on 127.0.0.1: authorization with
 * expiring tokens, buckets (B2's naming rules, 100 per account), uploads through upload
 * URLs with their own tokens and SHA-1 verification, large files in parts, versions on
 * every upload, hide markers, listings by name and by version, downloads by name and by
 * id with ranges, and B2's JSON error bodies. Test controls expire tokens, inject
 * 503/429 answers with Retry-After, and count calls. State is in memory.
 */
export async function startB2Fake(options: B2FakeOptions = {}): Promise<B2Fake> {
  const keyId = options.keyId ?? `000${randomBytes(6).toString('hex')}0000000001`;
  const applicationKey = options.applicationKey ?? `K000${randomBytes(14).toString('base64url')}`;
  const accountId = randomBytes(6).toString('hex');
  const recommendedPartSize = options.recommendedPartSize ?? 100_000_000;
  const absoluteMinimumPartSize = options.absoluteMinimumPartSize ?? MiB5;
  const store = new B2Store(accountId);
  for (const name of options.buckets ?? []) store.createBucket(name, 'allPrivate');
  const accountTokens = new Map<string, { expired: boolean }>();
  const uploadUrls = new UploadUrls();
  const keyRules = new KeyRules(options.key ?? {}, (name) => store.bucketByName(name)?.bucketId);
  const failSomeEvery = options.failSomeUploadsEvery ?? 3;
  let failSomeCounter = 0;
  let expireSomeCounter = 0;
  const calls = new Map<string, number>();
  const errors = new Map<string, number>();
  const failures: { remaining: number; failure: InjectedFailure }[] = [];
  const losses: { remaining: number; fault: LostAnswer }[] = [];
  let lostAnswers = 0;
  let listener: ((name: string, count: number) => void) | undefined;
  let base = '';

  /** What one request did, for the answer and for its upload URL. */
  interface Exchange {
    name: string;
    upload?: UploadToken;
    status?: number;
    broken?: boolean;
  }

  const server: Server = createServer((req, res) => {
    const exchange: Exchange = { name: 'unknown' };
    handle(req, res, exchange)
      .catch((error: unknown) => {
        const wire = error instanceof B2WireError ? error : new B2WireError(500, 'internal_error', String(error));
        exchange.status = wire.status;
        errors.set(wire.code, (errors.get(wire.code) ?? 0) + 1);
        // A refusal can come before the body was read (a busy upload URL): drain it so the client gets the answer.
        req.resume();
        if (!res.headersSent && !res.destroyed) sendError(res, wire, req.method === 'HEAD');
        else res.destroy();
      })
      .finally(() => {
        // Released before the client can send its next request (this runs in the same tick as the answer).
        if (exchange.upload) uploadUrls.release(exchange.upload, exchange);
        if (exchange.name !== 'unknown') listener?.(exchange.name, calls.get(exchange.name) ?? 0);
      });
  });

  /** The committed answer, or its loss when a LostAnswer fault matches. */
  function answer(res: ServerResponse, exchange: Exchange, body: unknown): void {
    const entry = losses.find((l) => l.remaining > 0 && l.fault.calls.includes(exchange.name));
    if (!entry) return sendJson(res, 200, body);
    entry.remaining--;
    lostAnswers++;
    if (entry.fault.mode === 'error-500') throw new B2WireError(500, 'internal_error', 'An internal error occurred');
    exchange.broken = true;
    res.destroy();
  }

  /**
   * X-Bz-Test-Mode, as B2 documents it. Integration checklist: "To test your code, add a
   * X-Bz-Test-Mode: fail_some_uploads header to the b2_upload_file API call. This will cause
   * intermittent artificial failures, allowing you to test the resiliency of your code."
   * B2's other values: expire_some_account_authorization_tokens (on calls with an account
   * token) and force_cap_exceeded ("a cap limit failure" on upload-related calls).
   */
  function testMode(req: IncomingMessage, name: string, token?: { expired: boolean }): void {
    const mode = req.headers['x-bz-test-mode'];
    if (mode === 'fail_some_uploads' && (name === 'b2_upload_file' || name === 'b2_upload_part') && ++failSomeCounter % failSomeEvery === 0) {
      throw new B2WireError(503, 'service_unavailable', 'c001_v0001000_t0000 is too busy (X-Bz-Test-Mode: fail_some_uploads)');
    }
    if (mode === 'force_cap_exceeded' && UPLOAD_CALLS.has(name)) throw new B2WireError(403, 'cap_exceeded', 'Cannot upload files, storage cap exceeded.');
    if (mode === 'expire_some_account_authorization_tokens' && token && ++expireSomeCounter % 3 === 0) {
      token.expired = true;
      throw new B2WireError(401, 'expired_auth_token', 'Authorization token has expired');
    }
  }

  /**
   * The storage cap. Uploading guide: "403 Forbidden cap_exceeded - you have reached the
   * storage cap that you set".
   */
  function withinCap(adding: number): void {
    if (options.storageCapBytes === undefined) return;
    let stored = 0;
    for (const list of store.versions.values()) for (const v of list) stored += v.data.length;
    for (const l of store.largeFiles.values()) for (const p of l.parts.values()) stored += p.data.length;
    if (stored + adding > options.storageCapBytes) throw new B2WireError(403, 'cap_exceeded', 'Cannot upload files, storage cap exceeded.');
  }

  function count(name: string): void {
    calls.set(name, (calls.get(name) ?? 0) + 1);
  }

  function injected(name: string): void {
    const entry = failures.find((f) => f.remaining > 0 && (f.failure.calls ? f.failure.calls.includes(name) : name !== 'b2_authorize_account'));
    if (!entry) return;
    entry.remaining--;
    const status = entry.failure.status ?? 503;
    const code = entry.failure.code ?? (status === 429 ? 'too_many_requests' : status === 503 ? 'service_unavailable' : 'internal_error');
    throw new B2WireError(status, code, status === 429 ? 'Too many requests' : 'Service temporarily unavailable', entry.failure.retryAfterSeconds);
  }

  function accountAuth(req: IncomingMessage, query?: URLSearchParams): { expired: boolean } {
    const token = req.headers.authorization ?? query?.get('Authorization') ?? undefined;
    if (!token) throw new B2WireError(401, 'missing_auth_token', 'Authorization token is missing');
    const known = accountTokens.get(token);
    if (!known) throw new B2WireError(401, 'bad_auth_token', 'Invalid authorization token');
    if (known.expired) throw new B2WireError(401, 'expired_auth_token', 'Authorization token has expired');
    return known;
  }

  function uploadUrl(kind: 'file' | 'part', target: string): { uploadUrl: string; authorizationToken: string } {
    const token = uploadUrls.issue(kind, target);
    const pod = `c000_v0001${randomBytes(2).toString('hex')}_t00${randomBytes(1).toString('hex')}`;
    const call = kind === 'file' ? 'b2_upload_file' : 'b2_upload_part';
    return { uploadUrl: `${base}${API}${call}/${encodeURIComponent(target)}/${pod}`, authorizationToken: token.value };
  }

  async function handle(req: IncomingMessage, res: ServerResponse, exchange: Exchange): Promise<void> {
    const url = new URL(req.url ?? '/', base);
    const path = url.pathname;

    if (path.startsWith('/file/')) {
      await readBody(req);
      exchange.name = 'b2_download_file_by_name';
      count('b2_download_file_by_name');
      injected('b2_download_file_by_name');
      const rest = path.slice('/file/'.length);
      const slash = rest.indexOf('/');
      if (slash < 0) throw new B2WireError(404, 'not_found', 'File with such name does not exist.');
      const bucket = store.bucketByName(decodeURIComponent(rest.slice(0, slash)));
      if (!bucket) throw new B2WireError(404, 'not_found', 'Bucket does not exist');
      const fileName = decodeURIComponent(rest.slice(slash + 1));
      if (bucket.bucketType !== 'allPublic') {
        accountAuth(req, url.searchParams);
        keyRules.capability(exchange.name);
        keyRules.bucket(bucket.bucketId);
        keyRules.fileName(fileName);
      }
      const latest = store.latest(bucket.bucketId, fileName);
      if (!latest || latest.action !== 'upload') throw new B2WireError(404, 'not_found', 'File with such name does not exist.');
      return download(req, res, latest);
    }

    if (!path.startsWith(API)) throw new B2WireError(404, 'not_found', `no such API: ${path}`);
    const [call, ...tail] = path.slice(API.length).split('/');
    const name = call ?? '';
    exchange.name = name;
    count(name);

    if (name === 'b2_upload_file' || name === 'b2_upload_part') {
      // The URL's token is claimed before the body arrives: a second upload on it meanwhile is refused.
      const target = decodeURIComponent(tail[0] ?? '');
      exchange.upload = uploadUrls.claim(req.headers.authorization, name === 'b2_upload_file' ? 'file' : 'part', target);
      const body = await readBody(req);
      injected(name);
      testMode(req, name);
      keyRules.capability(name);
      if (name === 'b2_upload_file') return answer(res, exchange, store.toJson(uploadFile(req, store.bucket(target), body)));
      return answer(res, exchange, uploadPart(req, target, body));
    }

    const body = await readBody(req);
    if (name === 'b2_authorize_account') {
      injected(name);
      const header = req.headers.authorization ?? '';
      const decoded = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString('utf8') : '';
      if (decoded !== `${keyId}:${applicationKey}`) throw new B2WireError(401, 'unauthorized', 'The applicationKeyId and/or the applicationKey are wrong.');
      const authorizationToken = `4_${randomBytes(24).toString('base64url')}`;
      accountTokens.set(authorizationToken, { expired: false });
      return sendJson(res, 200, {
        accountId,
        authorizationToken,
        applicationKeyExpirationTimestamp: null,
        apiInfo: {
          storageApi: {
            absoluteMinimumPartSize,
            apiUrl: base,
            ...keyRules.authorizeFields(),
            downloadUrl: base,
            infoType: 'storageApi',
            recommendedPartSize,
            s3ApiUrl: base.replace('127.0.0.1', 'localhost'),
          },
        },
      });
    }

    if (name === 'b2_download_file_by_id') {
      accountAuth(req, url.searchParams);
      injected(name);
      keyRules.capability(name);
      const fileId = url.searchParams.get('fileId') ?? (body.length ? (JSON.parse(body.toString('utf8')) as { fileId?: string }).fileId : undefined);
      const version = store.findVersion(fileId);
      if (!version || version.action !== 'upload') throw new B2WireError(404, 'not_found', `File not present: ${String(fileId)}`);
      keyRules.bucket(version.bucketId);
      keyRules.fileName(version.fileName);
      return download(req, res, version);
    }

    const token = accountAuth(req);
    injected(name);
    testMode(req, name, token);
    keyRules.capability(name);
    let params: Record<string, any>;
    try {
      params = body.length ? JSON.parse(body.toString('utf8')) : Object.fromEntries(url.searchParams);
    } catch {
      throw badRequest('request body is not valid JSON');
    }
    if (typeof params !== 'object' || params === null) throw badRequest('request body must be a JSON object');
    const result = apiCall(name, params);
    return name === 'b2_finish_large_file' ? answer(res, exchange, result) : sendJson(res, 200, result);
  }

  function apiCall(name: string, p: Record<string, any>): unknown {
    const needAccount = () => {
      if (p['accountId'] !== accountId) throw badRequest(`accountId invalid: ${String(p['accountId'])}`);
    };
    /** The bucket a call names, which a restricted key must allow. */
    const allowedBucket = () => {
      const bucket = store.bucket(p['bucketId']);
      keyRules.bucket(bucket.bucketId);
      return bucket;
    };
    /** An unfinished large file, in a bucket and under a name the key allows. */
    const allowedLargeFile = (fileId: string) => {
      const large = store.largeFiles.get(fileId);
      if (large) {
        keyRules.bucket(large.bucketId);
        keyRules.fileName(large.fileName);
      }
      return large;
    };
    switch (name) {
      case 'b2_list_buckets': {
        needAccount();
        keyRules.bucketListing(p);
        const buckets = [...store.buckets.values()].filter(
          (b) => (p['bucketId'] === undefined || b.bucketId === p['bucketId']) && (p['bucketName'] === undefined || b.bucketName.toLowerCase() === String(p['bucketName']).toLowerCase()),
        );
        return { buckets: buckets.map(bucketJson) };
      }
      case 'b2_create_bucket': {
        needAccount();
        if (typeof p['bucketName'] !== 'string') throw badRequest('bucketName is required');
        return bucketJson(store.createBucket(p['bucketName'], String(p['bucketType'] ?? '')));
      }
      case 'b2_get_upload_url': {
        const bucket = allowedBucket();
        return { bucketId: bucket.bucketId, ...uploadUrl('file', bucket.bucketId) };
      }
      case 'b2_start_large_file': {
        const bucket = allowedBucket();
        const fileName = String(p['fileName'] ?? '');
        checkFileName(fileName);
        keyRules.fileName(fileName);
        if (typeof p['contentType'] !== 'string') throw badRequest('contentType is required');
        const fileInfo = checkFileInfo((p['fileInfo'] as Record<string, string> | undefined) ?? {}, fileName);
        const uploadTimestamp = store.now();
        const large = { fileId: store.newFileId(bucket.bucketId, uploadTimestamp), bucketId: bucket.bucketId, fileName, contentType: contentTypeOf(p['contentType']), fileInfo, uploadTimestamp, parts: new Map() };
        store.largeFiles.set(large.fileId, large);
        return store.largeFileJson(large);
      }
      case 'b2_get_upload_part_url': {
        const fileId = String(p['fileId'] ?? '');
        if (!allowedLargeFile(fileId)) throw badRequest(`No active upload for: ${fileId}`);
        return { fileId, ...uploadUrl('part', fileId) };
      }
      case 'b2_finish_large_file':
        return store.toJson(finishLargeFile(String(p['fileId'] ?? ''), p['partSha1Array']));
      case 'b2_cancel_large_file': {
        const fileId = String(p['fileId'] ?? '');
        const large = allowedLargeFile(fileId);
        if (!large) throw badRequest(`No active upload for: ${fileId}`);
        store.largeFiles.delete(fileId);
        return { accountId, bucketId: large.bucketId, fileId, fileName: large.fileName };
      }
      case 'b2_list_parts': {
        // "Lists the parts that have been uploaded for a large file that has not been finished
        // yet. This call returns at most 1000 entries" ... "maxPartCount: The maximum number of
        // parts to return from this call. The default value is 100, and the maximum allowed is
        // 1000." ... "nextPartNumber: What to pass in to startPartNumber for the next search to
        // continue where this one left off, or null" (b2_list_parts; 400 bad_request "Invalid fileId").
        const fileId = String(p['fileId'] ?? '');
        if (!allowedLargeFile(fileId)) throw badRequest(`Invalid fileId: ${fileId}`);
        const max = p['maxPartCount'] === undefined ? 100 : Number(p['maxPartCount']);
        if (!Number.isInteger(max) || max < 1 || max > 1000) throw new B2WireError(400, 'out_of_range', 'maxPartCount out of range: 1-1000');
        const start = p['startPartNumber'] === undefined ? 1 : Number(p['startPartNumber']);
        const numbers = [...store.largeFiles.get(fileId)!.parts.keys()].filter((n) => n >= start).sort((a, b) => a - b);
        const parts = numbers.slice(0, max).map((partNumber) => {
          const part = store.largeFiles.get(fileId)!.parts.get(partNumber)!;
          return { fileId, partNumber, contentLength: part.data.length, contentSha1: part.sha1, contentMd5: null, uploadTimestamp: part.uploadTimestamp ?? 0 };
        });
        return { parts, nextPartNumber: numbers.length > max ? numbers[max]! : null };
      }
      case 'b2_list_unfinished_large_files': {
        const bucket = allowedBucket();
        const prefix = String(p['namePrefix'] ?? '');
        keyRules.listingPrefix(prefix);
        const max = p['maxFileCount'] === undefined ? 100 : Number(p['maxFileCount']);
        if (!Number.isInteger(max) || max < 1 || max > 100) throw new B2WireError(400, 'out_of_range', 'maxFileCount out of range: 1-100');
        const all = [...store.largeFiles.values()]
          .filter((l) => l.bucketId === bucket.bucketId && l.fileName.startsWith(prefix))
          .sort((a, b) => (a.fileId < b.fileId ? -1 : 1));
        const from = p['startFileId'] ? all.filter((l) => l.fileId >= p['startFileId']) : all;
        return { files: from.slice(0, max).map((l) => store.largeFileJson(l)), nextFileId: from[max]?.fileId ?? null };
      }
      case 'b2_list_file_names':
      case 'b2_list_file_versions': {
        allowedBucket();
        const request = listRequest(p);
        keyRules.listingPrefix(request.prefix);
        return name === 'b2_list_file_names' ? listFileNames(store, request) : listFileVersions(store, request);
      }
      case 'b2_hide_file': {
        const bucket = allowedBucket();
        const fileName = String(p['fileName'] ?? '');
        checkFileName(fileName);
        keyRules.fileName(fileName);
        const latest = store.latest(bucket.bucketId, fileName);
        if (!latest) throw new B2WireError(400, 'no_such_file', `File not present: ${fileName}`);
        if (latest.action === 'hide') throw new B2WireError(400, 'already_hidden', `File already hidden: ${fileName}`);
        const uploadTimestamp = store.now();
        return store.toJson(
          store.addVersion({
            fileId: store.newFileId(bucket.bucketId, uploadTimestamp),
            bucketId: bucket.bucketId,
            fileName,
            action: 'hide',
            data: Buffer.alloc(0),
            contentSha1: null,
            contentType: 'application/x-bz-hide-marker',
            fileInfo: {},
            uploadTimestamp,
          }),
        );
      }
      case 'b2_delete_file_version': {
        const fileId = String(p['fileId'] ?? '');
        const fileName = String(p['fileName'] ?? '');
        const version = store.findVersion(fileId);
        keyRules.fileName(fileName);
        if (version) keyRules.bucket(version.bucketId);
        if (version && version.fileName === fileName) {
          store.removeVersion(version);
          return { fileId, fileName };
        }
        const large = store.largeFiles.get(fileId);
        if (large && large.fileName === fileName) {
          store.largeFiles.delete(fileId);
          return { fileId, fileName };
        }
        throw new B2WireError(400, 'file_not_present', `File not present: ${fileName} ${fileId}`);
      }
      case 'b2_get_file_info': {
        const version = store.findVersion(p['fileId']);
        if (!version) throw new B2WireError(404, 'not_found', `File not present: ${String(p['fileId'])}`);
        keyRules.bucket(version.bucketId);
        keyRules.fileName(version.fileName);
        return store.toJson(version);
      }
      default:
        throw new B2WireError(404, 'not_found', `no such API: ${name}`);
    }
  }

  function bucketJson(b: B2Bucket) {
    return {
      accountId: b.accountId,
      bucketId: b.bucketId,
      bucketName: b.bucketName,
      bucketType: b.bucketType,
      bucketInfo: {},
      corsRules: [],
      defaultServerSideEncryption: { isClientAuthorizedToRead: true, value: { algorithm: null, mode: null } },
      fileLockConfiguration: { isClientAuthorizedToRead: true, value: { defaultRetention: { mode: null, period: null }, isFileLockEnabled: false } },
      lifecycleRules: [],
      options: [],
      revision: b.revision,
    };
  }

  function uploadFile(req: IncomingMessage, bucket: B2Bucket, body: Buffer): StoredVersion {
    const rawName = req.headers['x-bz-file-name'];
    if (typeof rawName !== 'string') throw badRequest('Missing header: X-Bz-File-Name');
    const fileName = decodeHeaderValue(rawName);
    checkFileName(fileName);
    keyRules.fileName(fileName);
    const contentType = req.headers['content-type'];
    if (typeof contentType !== 'string') throw badRequest('Missing header: Content-Type');
    const data = verifiedBody(req, body);
    const info: Record<string, string> = {};
    for (const [header, value] of Object.entries(req.headers)) {
      if (header.startsWith('x-bz-info-') && typeof value === 'string') info[header.slice('x-bz-info-'.length)] = decodeHeaderValue(value);
    }
    const fileInfo = checkFileInfo(info, fileName);
    if (data.length > 5_000_000_000) throw badRequest('files above 5 GB must be uploaded as large files');
    withinCap(data.length);
    const uploadTimestamp = store.now();
    return store.addVersion({
      fileId: store.newFileId(bucket.bucketId, uploadTimestamp),
      bucketId: bucket.bucketId,
      fileName,
      action: 'upload',
      data,
      contentSha1: sha1Hex(data),
      contentType: contentTypeOf(contentType),
      fileInfo,
      uploadTimestamp,
    });
  }

  /** The body, checked against Content-Length and X-Bz-Content-Sha1 (or the SHA-1 at its end). */
  function verifiedBody(req: IncomingMessage, body: Buffer): Buffer {
    if (req.headers['content-length'] === undefined) throw new B2WireError(411, 'bad_request', 'Content-Length is required (no chunked uploads)');
    const declared = req.headers['x-bz-content-sha1'];
    if (typeof declared !== 'string') throw badRequest('Missing header: X-Bz-Content-Sha1');
    let data = body;
    let expected: string | undefined = declared.toLowerCase();
    if (declared === 'hex_digits_at_end') {
      data = body.subarray(0, Math.max(0, body.length - 40));
      expected = body.subarray(body.length - 40).toString('latin1').toLowerCase();
    } else if (declared === 'do_not_verify') expected = undefined;
    else if (!/^[0-9a-f]{40}$/.test(expected)) throw badRequest(`X-Bz-Content-Sha1 is not a SHA1: ${declared}`);
    if (expected !== undefined && sha1Hex(data) !== expected) throw badRequest('Sha1 did not match data received');
    return Buffer.from(data);
  }

  function uploadPart(req: IncomingMessage, fileId: string, body: Buffer) {
    const large = store.largeFiles.get(fileId);
    if (!large) throw badRequest(`No active upload for: ${fileId}`);
    const partNumber = Number(req.headers['x-bz-part-number']);
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) throw badRequest('X-Bz-Part-Number must be 1 to 10000');
    const data = verifiedBody(req, body);
    if (data.length > 5_000_000_000) throw badRequest('parts must be no more than 5 GB');
    withinCap(data.length - (large.parts.get(partNumber)?.data.length ?? 0));
    const sha1 = sha1Hex(data);
    const uploadTimestamp = store.now();
    large.parts.set(partNumber, { data, sha1, uploadTimestamp });
    return { fileId, partNumber, contentLength: data.length, contentSha1: sha1, contentMd5: null, serverSideEncryption: { algorithm: null, mode: null }, uploadTimestamp };
  }

  function finishLargeFile(fileId: string, partSha1Array: unknown): StoredVersion {
    const large = store.largeFiles.get(fileId);
    if (!large) throw badRequest(`No active upload for: ${fileId}`);
    if (!Array.isArray(partSha1Array) || partSha1Array.length === 0) throw badRequest('partSha1Array is required');
    // Large files guide: "Large files can range from 5MB all the way up to 10TB" and "the minimum
    // part size is 5MB, except for the last part": a one-part "large file" is a small file, and
    // B2 refuses to finish it.
    if (partSha1Array.length < 2) throw badRequest('large files must have at least 2 parts');
    const parts: Buffer[] = [];
    for (let i = 0; i < partSha1Array.length; i++) {
      const part = large.parts.get(i + 1);
      // b2_finish_large_file "will return an error if there is no active upload with the given
      // file ID, or if any of the parts of the file have not been uploaded"; b2sdk maps the codes
      // B2 sends: 400 missing_part ("Part number has not been uploaded") and 400
      // part_sha1_mismatch ("Part number ... has wrong SHA1").
      if (!part) throw new B2WireError(400, 'missing_part', `Part number ${i + 1} has not been uploaded`);
      if (part.sha1 !== String(partSha1Array[i]).toLowerCase()) throw new B2WireError(400, 'part_sha1_mismatch', `Part number ${i + 1} has wrong SHA1`);
      if (i < partSha1Array.length - 1 && part.data.length < absoluteMinimumPartSize) {
        throw badRequest(`Part number ${i + 1} is smaller than the minimum part size ${absoluteMinimumPartSize}`);
      }
      parts.push(part.data);
    }
    if (large.parts.size !== partSha1Array.length) throw badRequest('more parts were uploaded than listed in partSha1Array');
    store.largeFiles.delete(fileId);
    return store.addVersion({
      fileId,
      bucketId: large.bucketId,
      fileName: large.fileName,
      action: 'upload',
      data: Buffer.concat(parts),
      contentSha1: 'none',
      contentType: large.contentType,
      fileInfo: large.fileInfo,
      uploadTimestamp: large.uploadTimestamp,
    });
  }

  function download(req: IncomingMessage, res: ServerResponse, version: StoredVersion): void {
    const size = version.data.length;
    const headers: Record<string, string | number> = {
      'Content-Type': version.contentType ?? 'application/octet-stream',
      'Accept-Ranges': 'bytes',
      'X-Bz-File-Id': version.fileId,
      'X-Bz-File-Name': encodeURIComponent(version.fileName).replace(/%2F/g, '/'),
      'X-Bz-Content-Sha1': version.contentSha1 ?? 'none',
      'X-Bz-Upload-Timestamp': String(version.uploadTimestamp),
    };
    for (const [k, v] of Object.entries(version.fileInfo)) headers[`X-Bz-Info-${k}`] = encodeURIComponent(v);
    let status = 200;
    let body = version.data;
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    if (range && (range[1] !== '' || range[2] !== '')) {
      let start: number;
      let end: number;
      if (range[1] === '') {
        start = Math.max(0, size - Number(range[2]));
        end = size - 1;
      } else {
        start = Number(range[1]);
        end = range[2] === '' ? size - 1 : Math.min(Number(range[2]), size - 1);
      }
      if (start >= size || end < start) {
        if (req.method === 'HEAD') throw new B2WireError(416, 'range_not_satisfiable', 'The range is not satisfiable');
        throw new B2WireError(416, 'range_not_satisfiable', `The range ${req.headers.range} is not satisfiable for ${size} bytes`);
      }
      status = 206;
      body = version.data.subarray(start, end + 1);
      headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    }
    headers['Content-Length'] = body.length;
    res.writeHead(status, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    keyId,
    applicationKey,
    accountId,
    store,
    calls,
    callCount: (name) => calls.get(name) ?? 0,
    expireAuthTokens() {
      for (const t of accountTokens.values()) t.expired = true;
      uploadUrls.expireAll();
    },
    loseAnswers(fault) {
      losses.push({ remaining: fault.count, fault });
    },
    get lostAnswers() {
      return lostAnswers;
    },
    errorCount: (code) => errors.get(code) ?? 0,
    injectFailures(failure) {
      failures.push({ remaining: failure.count, failure });
    },
    onCall(l) {
      listener = l;
    },
    createBucket: (name) => store.createBucket(name, 'allPrivate'),
    versionsOf(bucketName, fileName) {
      const bucket = store.bucketByName(bucketName);
      return bucket ? store.sortedVersions(bucket.bucketId).filter((v) => v.fileName === fileName) : [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function contentTypeOf(value: unknown): string {
  return value === 'b2/x-auto' || typeof value !== 'string' ? 'application/octet-stream' : value;
}

function listRequest(p: Record<string, any>) {
  const optionalString = (k: string) => (p[k] === undefined || p[k] === null ? undefined : String(p[k]));
  return {
    bucketId: String(p['bucketId'] ?? ''),
    ...(optionalString('startFileName') !== undefined ? { startFileName: optionalString('startFileName')! } : {}),
    ...(optionalString('startFileId') !== undefined ? { startFileId: optionalString('startFileId')! } : {}),
    ...(p['maxFileCount'] !== undefined ? { maxFileCount: Number(p['maxFileCount']) } : {}),
    ...(optionalString('prefix') !== undefined ? { prefix: optionalString('prefix')! } : {}),
    ...(optionalString('delimiter') !== undefined ? { delimiter: optionalString('delimiter')! } : {}),
  };
}

