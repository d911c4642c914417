import { Agent, createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TEMPAUTH_KEY } from '../../servers/swift/swift-config.js';
import {
  ArchiveRegistry,
  KNOWN_STORAGE_CLASSES,
  restoreHeaderOf,
  type ArchivedObject,
  type IntelligentTieringArchiveTier,
  type RestorePhase,
  type RestoreRequestSeen,
} from './archive-registry.js';
import { rewriteListing } from './list-rewrite.js';
import { copySourceOf, s3AddressOf, type S3Address } from './s3-address.js';
import { resignWithout, signOwnRequest } from './sigv4.js';
import { s3ErrorXml, xmlText } from './s3-xml.js';

export interface S3GlacierProxyOptions {
  /** The real S3 endpoint to forward to, e.g. ensureSwiftServer().s3Endpoint. Loopback only. */
  readonly target: string;
  /** Clock for restore expiry (tests move it forward); default Date.now. */
  readonly now?: () => number;
  /**
   * Secret of the clients' access key, to sign again the requests the proxy changes (it drops
   * x-amz-storage-class, which the server behind refuses). Default: the test Swift server's.
   */
  readonly secretAccessKey?: string;
}

export interface S3GlacierProxy {
  /** Endpoint clients use instead of the real server's (path-style), e.g. http://127.0.0.1:41234 */
  readonly endpoint: string;
  readonly port: number;
  /** Present an existing object as stored in GLACIER (default) or DEEP_ARCHIVE, with no restore requested. */
  archive(bucket: string, key: string, storageClass?: 'GLACIER' | 'DEEP_ARCHIVE'): void;
  /** Move an INTELLIGENT_TIERING object into its Archive Access or Deep Archive Access tier, as months without access do. */
  tierDown(bucket: string, key: string, tier: IntelligentTieringArchiveTier): void;
  /** Present it as an ordinary (STANDARD) object again. */
  unarchive(bucket: string, key: string): void;
  /** Finish a requested restore: a temporary copy is readable until `expiresAt` (default: midnight UTC after the requested days); Intelligent-Tiering objects go back online. */
  completeRestore(bucket: string, key: string, expiresAt?: number): void;
  /** The temporary copy expired: the object is archived again, with no restore requested. */
  expireRestore(bucket: string, key: string): void;
  /** Where the object's restore stands, or undefined when it is not archived. */
  restoreOf(bucket: string, key: string): RestorePhase | undefined;
  /** The storage class the proxy presents for the key (STANDARD when it keeps nothing about it). */
  storageClassOf(bucket: string, key: string): string;
  /** While set, Expedited restores are answered 503 GlacierExpeditedRetrievalNotAvailable (no capacity). */
  expeditedUnavailable: boolean;
  /** RestoreObject requests answered so far, oldest first. */
  readonly restoreRequests: readonly RestoreRequestSeen[];
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of a real S3 server (the Swift server's S3 API) that adds what no
 * local server has: storage classes, Glacier and the Intelligent-Tiering archive tiers, in
 * the S3 wire format, refusing what Amazon S3 refuses:
 * - PUT, multipart upload and CopyObject honour `x-amz-storage-class` (the header is dropped
 *   and the request signed again, since the server behind takes STANDARD only); GLACIER and
 *   DEEP_ARCHIVE objects are archived from the start.
 * - HEAD/GET carry `x-amz-storage-class`, `x-amz-restore` and (Intelligent-Tiering)
 *   `x-amz-archive-status`; listings carry `<StorageClass>` and, when asked, `<RestoreStatus>`.
 * - GET of an archived object, and CopyObject/UploadPartCopy from one (a metadata rewrite by
 *   self-copy included), are 403 InvalidObjectState until a restore finished.
 * - RestoreObject (POST ?restore) follows the documented rules: 202 / 409 / 200, Days required
 *   for Glacier classes and refused for Intelligent-Tiering, no Expedited for DEEP_ARCHIVE,
 *   503 GlacierExpeditedRetrievalNotAvailable on demand, 404 NoSuchKey, 403 for online objects.
 * Everything else is forwarded byte for byte, streaming, with the client's Host header, so
 * SigV4 signatures (which cover Host) stay valid for the server behind.
 */
export async function startS3GlacierProxy(options: S3GlacierProxyOptions): Promise<S3GlacierProxy> {
  const target = new URL(options.target);
  const now = options.now ?? Date.now;
  const secret = options.secretAccessKey ?? TEMPAUTH_KEY;
  const registry = new ArchiveRegistry(now);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  /** Storage class asked for by CreateMultipartUpload, by upload id, applied on completion. */
  const uploadClasses = new Map<string, string>();
  const control = { expeditedUnavailable: false };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 502, 'InternalError', `glacier proxy: ${String(error)}`, req.url ?? '/');
      else res.destroy(error as Error);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const address = s3AddressOf(req.url ?? '/');
    const archived = address.key ? registry.get(address.bucket, address.key) : undefined;
    const method = req.method ?? 'GET';
    const resource = req.url ?? '/';
    if (method === 'POST' && address.key && address.query.has('restore')) return answerRestore(req, res, address, archived);
    if (archived && method === 'GET' && isPlainObjectRequest(address) && !registry.isReadable(archived)) {
      req.resume();
      // "If the object you are retrieving is stored in the S3 Glacier Flexible Retrieval storage class, the S3 Glacier
      // Deep Archive storage class, the S3 Intelligent-Tiering Archive Access tier, or the S3 Intelligent-Tiering Deep
      // Archive Access tier, before you can retrieve the object you must first restore a copy using RestoreObject.
      // Otherwise, this operation returns an InvalidObjectState error." (GetObject, InvalidObjectState)
      return sendError(res, 403, 'InvalidObjectState', "The operation is not valid for the object's storage class", resource);
    }
    const copySource = req.headers['x-amz-copy-source'];
    if (method === 'PUT' && typeof copySource === 'string') {
      const source = copySourceOf(copySource);
      const sourceState = registry.get(source.bucket, source.key);
      if (sourceState && !registry.isReadable(sourceState)) {
        req.resume();
        // "If you want a permanent copy of the object, restore the object, and then create a copy of it in your Amazon
        // S3 bucket." (Restoring an archived object); ObjectNotInActiveTierError: "The source object of the COPY action
        // is not in the active tier and is only stored in Amazon S3 Glacier." (CopyObject). A copy onto itself (a
        // metadata rewrite) is a copy too.
        return sendError(res, 403, 'InvalidObjectState', 'The source object of the COPY action is not in the active tier and is only stored in Amazon Glacier.', resource);
      }
    }
    const storageClass = headerText(req.headers['x-amz-storage-class']);
    if (storageClass !== undefined && !KNOWN_STORAGE_CLASSES.includes(storageClass)) {
      req.resume();
      // "InvalidStorageClass: The storage class you specified is not valid. 400 Bad Request" (S3 error codes)
      return sendError(res, 400, 'InvalidStorageClass', 'The storage class you specified is not valid', resource);
    }
    let headers = req.headers;
    if (storageClass !== undefined && storageClass !== 'STANDARD') {
      const resigned = resignWithout(method, resource, req.headers, ['x-amz-storage-class'], secret);
      if (!resigned) {
        req.resume();
        return sendError(res, 403, 'AccessDenied', 'glacier proxy: only SigV4 header-signed requests can carry a storage class', resource);
      }
      headers = resigned;
    }
    const isListing = method === 'GET' && !address.key && (address.query.get('list-type') === '2' || isListObjectsV1(address));
    const initiatesUpload = method === 'POST' && address.key !== '' && address.query.has('uploads');
    const completesUpload = method === 'POST' && address.key !== '' && address.query.has('uploadId');
    forward(req, res, headers, {
      rewriteHeaders: (status, answerHeaders) => {
        if (archived && (method === 'HEAD' || method === 'GET') && isPlainObjectRequest(address) && status < 300) addArchiveHeaders(answerHeaders, archived);
        if (!address.key || status >= 300) return;
        // A new object (PUT, copy, completed multipart upload) takes the class it was stored in; a deleted one is forgotten.
        if (method === 'PUT' && replacesObject(method, address)) registry.stored(address.bucket, address.key, storageClass);
        else if (completesUpload) {
          const uploadId = address.query.get('uploadId') ?? '';
          registry.stored(address.bucket, address.key, uploadClasses.get(uploadId));
          uploadClasses.delete(uploadId);
        } else if (replacesObject(method, address)) registry.forget(address.bucket, address.key);
      },
      ...(isListing
        ? {
            rewriteBody: (xml: string) =>
              rewriteListing(xml, (key) => registry.get(address.bucket, key), {
                urlEncodedKeys: address.query.get('encoding-type') === 'url',
                withRestoreStatus: String(req.headers['x-amz-optional-object-attributes'] ?? '').includes('RestoreStatus'),
              }),
          }
        : initiatesUpload && storageClass !== undefined
          ? {
              rewriteBody: (xml: string) => {
                const uploadId = xmlText(xml, 'UploadId');
                if (uploadId) uploadClasses.set(uploadId, storageClass);
                return xml;
              },
            }
          : {}),
    });
  }

  async function answerRestore(req: IncomingMessage, res: ServerResponse, address: S3Address, archived: ArchivedObject | undefined): Promise<void> {
    const body = await readBody(req);
    const daysText = xmlText(body, 'Days');
    const days = daysText === undefined ? undefined : Number(daysText);
    const tier = xmlText(body, 'Tier');
    const resource = req.url ?? '/';
    const answer = (status: number, code?: string, message?: string) => {
      registry.requests.push({ bucket: address.bucket, key: address.key, days, tier, status, ...(code ? { code } : {}) });
      if (code) sendError(res, status, code, message ?? code, resource);
      else res.writeHead(status, { 'content-length': '0' }).end();
    };
    if (!archived || !registry.isArchived(archived)) {
      // "NoSuchKey: The specified key does not exist. 404 Not Found" (S3 error codes): RestoreObject of a missing key.
      if (!archived && !(await keyExists(req, address))) return answer(404, 'NoSuchKey', 'The specified key does not exist.');
      // Only archived objects can be restored.
      return answer(403, 'InvalidObjectState', "Restore is not allowed for the object's current storage class");
    }
    const intelligentTiering = archived.accessTier !== undefined;
    if (intelligentTiering && days !== undefined) {
      // "do not set ExpirationInDays when ... target S3 Intelligent-Tiering Archive Access and Deep Archive Access tier
      // objects. Objects in S3 Intelligent-Tiering archive access tiers are not subject to restore expiry, so specifying
      // ExpirationInDays results in restore request failure." (S3InitiateRestoreObjectOperation, which passes it to RestoreObject as Days)
      return answer(400, 'InvalidArgument', 'Days must not be specified for objects in the Intelligent-Tiering archive access tiers');
    }
    if (!intelligentTiering && (days === undefined || !Number.isInteger(days) || days < 1)) {
      // Days: "Lifetime of the restored (active) copy. The minimum number of days that you can restore an object from
      // Amazon Glacier is 1. ... If you are restoring an archive, this element is required." (POST Object restore)
      return answer(400, 'MalformedXML', 'Days is required and must be a positive integer when restoring an archive');
    }
    if (tier === 'Expedited' && (archived.storageClass === 'DEEP_ARCHIVE' || archived.accessTier === 'DEEP_ARCHIVE_ACCESS')) {
      // "Expedited retrievals and provisioned capacity are not available for the DEEP_ARCHIVE storage class." (POST Object restore)
      return answer(400, 'InvalidArgument', 'Expedited retrievals are not available for objects in this storage class');
    }
    if (tier === 'Expedited' && control.expeditedUnavailable) {
      // "Code: GlacierExpeditedRetrievalNotAvailable. Cause: expedited retrievals are currently not available. Try again
      // later. (Returned if there is insufficient capacity to process the Expedited request. ...) HTTP Status Code: 503" (RestoreObject)
      return answer(503, 'GlacierExpeditedRetrievalNotAvailable', 'Glacier expedited retrievals are currently not available, please try again later');
    }
    if (archived.restore.phase === 'ongoing') {
      // "Code: RestoreAlreadyInProgress. Cause: Object restore is already in progress. HTTP Status Code: 409 Conflict" (RestoreObject)
      return answer(409, 'RestoreAlreadyInProgress', 'Object restore is already in progress');
    }
    if (archived.restore.phase === 'restored') {
      // "If the object is previously restored, Amazon S3 returns 200 OK in the response." (RestoreObject)
      registry.extendRestore(archived, days ?? 1);
      return answer(200);
    }
    registry.startRestore(archived, days, tier ?? 'Standard');
    return answer(202);
  }

  /** Whether the key exists at the server behind: a HEAD of the proxy's own, signed with the client's credential. */
  async function keyExists(req: IncomingMessage, address: S3Address): Promise<boolean> {
    const path = (req.url ?? '/').split('?')[0]!;
    const headers = signOwnRequest('HEAD', path, req.headers, secret, new Date());
    if (!headers) return true;
    return new Promise<boolean>((resolve, reject) => {
      const head = request({ host: target.hostname, port: target.port || 80, method: 'HEAD', path, headers, agent }, (answer) => {
        answer.resume();
        resolve(answer.statusCode !== 404);
      });
      head.on('error', reject);
      head.end();
    }).catch(() => registry.get(address.bucket, address.key) !== undefined);
  }

  function forward(
    req: IncomingMessage,
    res: ServerResponse,
    headers: IncomingHttpHeaders,
    hooks: { rewriteHeaders: (status: number, headers: IncomingHttpHeaders) => void; rewriteBody?: (xml: string) => string },
  ): void {
    // Same method, raw path and headers (Host included): the signature covers them all.
    const upstream = request(
      { host: target.hostname, port: target.port || 80, method: req.method, path: req.url, headers, agent },
      (answer) => {
        const status = answer.statusCode ?? 502;
        const answerHeaders = { ...answer.headers };
        hooks.rewriteHeaders(status, answerHeaders);
        if (!hooks.rewriteBody || status >= 300) {
          res.writeHead(status, answer.statusMessage, answerHeaders);
          answer.pipe(res);
          return;
        }
        readBody(answer).then((xml) => {
          const rewritten = Buffer.from(hooks.rewriteBody!(xml));
          delete answerHeaders['transfer-encoding'];
          answerHeaders['content-length'] = String(rewritten.length);
          res.writeHead(status, answer.statusMessage, answerHeaders).end(rewritten);
        }, (error: Error) => res.destroy(error));
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) sendError(res, 502, 'InternalError', `glacier proxy: ${error.message}`, req.url ?? '/');
      else res.destroy(error);
    });
    req.on('aborted', () => upstream.destroy());
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    archive: (bucket, key, storageClass = 'GLACIER') => registry.archive(bucket, key, storageClass),
    tierDown: (bucket, key, tier) => registry.tierDown(bucket, key, tier),
    unarchive: (bucket, key) => registry.forget(bucket, key),
    completeRestore: (bucket, key, expiresAt) => registry.completeRestore(bucket, key, expiresAt),
    expireRestore: (bucket, key) => registry.expireRestore(bucket, key),
    restoreOf: (bucket, key) => {
      const object = registry.get(bucket, key);
      return object && registry.isArchived(object) ? object.restore : undefined;
    },
    storageClassOf: (bucket, key) => registry.get(bucket, key)?.storageClass ?? 'STANDARD',
    get expeditedUnavailable() {
      return control.expeditedUnavailable;
    },
    set expeditedUnavailable(value: boolean) {
      control.expeditedUnavailable = value;
    },
    restoreRequests: registry.requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

/** A request for the object itself (not its ACL, tags, parts, an upload...). */
function isPlainObjectRequest(address: S3Address): boolean {
  return !['uploadId', 'uploads', 'acl', 'tagging', 'attributes', 'legal-hold', 'retention', 'torrent'].some((q) => address.query.has(q));
}

function isListObjectsV1(address: S3Address): boolean {
  return [...address.query.keys()].every((q) => ['prefix', 'delimiter', 'marker', 'max-keys', 'encoding-type'].includes(q));
}

/** Requests that, when they succeed, leave a different object (or none) at the key. */
function replacesObject(method: string, address: S3Address): boolean {
  if (method === 'PUT') return !address.query.has('uploadId') && isPlainObjectRequest(address);
  if (method === 'DELETE') return !address.query.has('uploadId') && !address.query.has('versionId') && isPlainObjectRequest(address);
  return method === 'POST' && address.query.has('uploadId'); // CompleteMultipartUpload
}

function addArchiveHeaders(headers: IncomingHttpHeaders, object: ArchivedObject): void {
  headers['x-amz-storage-class'] = object.storageClass;
  // "x-amz-archive-status: The archive state of the head object." Valid values: ARCHIVE_ACCESS | DEEP_ARCHIVE_ACCESS (HeadObject)
  if (object.accessTier) headers['x-amz-archive-status'] = object.accessTier;
  const restore = restoreHeaderOf(object);
  if (restore) headers['x-amz-restore'] = restore;
}

function sendError(res: ServerResponse, status: number, code: string, message: string, resource: string): void {
  const xml = Buffer.from(s3ErrorXml(code, message, resource));
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': String(xml.length) }).end(xml);
}

async function readBody(stream: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
