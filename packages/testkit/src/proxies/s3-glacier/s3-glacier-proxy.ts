import { Agent, createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ArchiveRegistry, restoreHeaderOf, type ArchivedObject, type RestorePhase, type RestoreRequestSeen } from './archive-registry.js';
import { rewriteListing } from './list-rewrite.js';
import { copySourceOf, s3AddressOf, type S3Address } from './s3-address.js';
import { s3ErrorXml, xmlText } from './s3-xml.js';

export interface S3GlacierProxyOptions {
  /** The real S3 endpoint to forward to, e.g. ensureSwiftServer().s3Endpoint. Loopback only. */
  readonly target: string;
  /** Clock for restore expiry (tests move it forward); default Date.now. */
  readonly now?: () => number;
}

export interface S3GlacierProxy {
  /** Endpoint clients use instead of the real server's (path-style), e.g. http://127.0.0.1:41234 */
  readonly endpoint: string;
  readonly port: number;
  /** Present an existing object as stored in GLACIER (default) or DEEP_ARCHIVE, with no restore requested. */
  archive(bucket: string, key: string, storageClass?: 'GLACIER' | 'DEEP_ARCHIVE'): void;
  /** Present it as an ordinary (STANDARD) object again. */
  unarchive(bucket: string, key: string): void;
  /** Finish a requested restore: a temporary copy is readable until `expiresAt` (default: now + the requested days). */
  completeRestore(bucket: string, key: string, expiresAt?: number): void;
  /** The temporary copy expired: the object is archived again, with no restore requested. */
  expireRestore(bucket: string, key: string): void;
  /** Where the object's restore stands, or undefined when it is not archived. */
  restoreOf(bucket: string, key: string): RestorePhase | undefined;
  /** RestoreObject requests answered so far, oldest first. */
  readonly restoreRequests: readonly RestoreRequestSeen[];
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of a real S3 server (the Swift server's S3 API) that presents
 * chosen objects as archived in Glacier, in the S3 wire format, because no local server
 * has Glacier: `x-amz-storage-class` and `x-amz-restore` on HEAD/GET, `<StorageClass>`
 * (and `<RestoreStatus>` when asked) in ListObjectsV2, GET of an unrestored object and
 * CopyObject from one answered 403 InvalidObjectState, and RestoreObject (POST ?restore)
 * answered 202 / 409 RestoreAlreadyInProgress / 200. Everything else is forwarded byte for
 * byte, streaming, with the client's Host header, so SigV4 signatures (which cover Host)
 * stay valid for the server behind.
 */
export async function startS3GlacierProxy(options: S3GlacierProxyOptions): Promise<S3GlacierProxy> {
  const target = new URL(options.target);
  const registry = new ArchiveRegistry(options.now ?? Date.now);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
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
    if (method === 'POST' && address.key && address.query.has('restore')) return answerRestore(req, res, address, archived);
    if (archived && method === 'GET' && isPlainObjectRequest(address) && !registry.isReadable(archived)) {
      req.resume();
      return sendError(res, 403, 'InvalidObjectState', 'The operation is not valid for the object\'s storage class', req.url ?? '/');
    }
    const copySource = req.headers['x-amz-copy-source'];
    if (method === 'PUT' && typeof copySource === 'string') {
      const source = copySourceOf(copySource);
      const sourceState = registry.get(source.bucket, source.key);
      if (sourceState && !registry.isReadable(sourceState)) {
        req.resume();
        return sendError(res, 403, 'InvalidObjectState', 'The source object of the COPY action is not in the active tier and is only stored in Amazon Glacier.', req.url ?? '/');
      }
    }
    const isListing = method === 'GET' && !address.key && (address.query.get('list-type') === '2' || isListObjectsV1(address));
    forward(req, res, {
      rewriteHeaders: (status, headers) => {
        if (archived && (method === 'HEAD' || method === 'GET') && isPlainObjectRequest(address) && status < 300) addArchiveHeaders(headers, archived);
        // A new object (PUT, copy, completed multipart upload) or a deleted one is no longer the archived one.
        if (address.key && status < 300 && replacesObject(method, address)) registry.forget(address.bucket, address.key);
      },
      ...(isListing
        ? {
            rewriteBody: (xml: string) =>
              rewriteListing(xml, (key) => registry.get(address.bucket, key), {
                urlEncodedKeys: address.query.get('encoding-type') === 'url',
                withRestoreStatus: String(req.headers['x-amz-optional-object-attributes'] ?? '').includes('RestoreStatus'),
              }),
          }
        : {}),
    });
  }

  async function answerRestore(req: IncomingMessage, res: ServerResponse, address: S3Address, archived: ArchivedObject | undefined): Promise<void> {
    const body = await readBody(req);
    const days = Number(xmlText(body, 'Days') ?? NaN);
    const tier = xmlText(body, 'Tier');
    const seen = (status: number) =>
      registry.requests.push({ bucket: address.bucket, key: address.key, days: Number.isFinite(days) ? days : undefined, tier, status });
    if (!archived) {
      seen(403);
      return sendError(res, 403, 'InvalidObjectState', "Restore is not allowed for the object's current storage class", req.url ?? '/');
    }
    if (archived.restore.phase === 'ongoing') {
      seen(409);
      return sendError(res, 409, 'RestoreAlreadyInProgress', 'Object restore is already in progress', req.url ?? '/');
    }
    if (archived.restore.phase === 'restored') {
      registry.extendRestore(archived, Number.isFinite(days) ? days : 1);
      seen(200);
      res.writeHead(200, { 'content-length': '0' }).end();
      return;
    }
    registry.startRestore(archived, Number.isFinite(days) ? days : 1, tier ?? 'Standard');
    seen(202);
    res.writeHead(202, { 'content-length': '0' }).end();
  }

  function forward(
    req: IncomingMessage,
    res: ServerResponse,
    hooks: { rewriteHeaders: (status: number, headers: IncomingHttpHeaders) => void; rewriteBody?: (xml: string) => string },
  ): void {
    // Same method, raw path and headers (Host included): the signature covers them all.
    const upstream = request(
      { host: target.hostname, port: target.port || 80, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        const status = answer.statusCode ?? 502;
        const headers = { ...answer.headers };
        hooks.rewriteHeaders(status, headers);
        if (!hooks.rewriteBody || status >= 300) {
          res.writeHead(status, answer.statusMessage, headers);
          answer.pipe(res);
          return;
        }
        readBody(answer).then((xml) => {
          const rewritten = Buffer.from(hooks.rewriteBody!(xml));
          delete headers['transfer-encoding'];
          headers['content-length'] = String(rewritten.length);
          res.writeHead(status, answer.statusMessage, headers).end(rewritten);
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
    unarchive: (bucket, key) => registry.forget(bucket, key),
    completeRestore: (bucket, key, expiresAt) => registry.completeRestore(bucket, key, expiresAt),
    expireRestore: (bucket, key) => registry.expireRestore(bucket, key),
    restoreOf: (bucket, key) => registry.get(bucket, key)?.restore,
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
