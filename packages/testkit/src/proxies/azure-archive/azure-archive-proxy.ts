import { randomUUID } from 'node:crypto';
import { Agent, createServer, request, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AzuriteAdmin, type AccountAccess } from './azurite-admin.js';
import { blobAddressOf, blobKey, type BlobAddress } from './blob-address.js';
import { archiveStatusFor, markPendingInListing, type PendingRehydration } from './list-xml.js';

/** How a pending rehydration ended: a copy whose source was deleted or overwritten meanwhile fails. */
export type RehydrationOutcome = 'completed' | 'failed';

const ONLINE_TIERS = new Set(['hot', 'cool', 'cold']);

/**
 * Blob requests (by `comp`) that change an archived blob, which Azure refuses with 409
 * BlobArchived. Azure's "Access tiers for blob data": "Setting or modifying the blob
 * metadata while in archive isn't allowed. [...] For blobs in archive, the only valid
 * operations are Get Blob Properties, Get Blob Metadata, Set Blob Tags, Get Blob Tags, Find
 * Blobs by Tags, List Blobs, Set Blob Tier, Copy Blob, and Delete Blob." Azurite already
 * refuses Get Blob and Put Blob on archived blobs but accepts these.
 */
const REFUSED_WHEN_ARCHIVED = new Set(['metadata', 'properties', 'snapshot', 'block', 'blocklist']);

const BLOB_ARCHIVED_MESSAGE = 'This operation is not permitted on an archived blob.';

export interface AzureArchiveProxyOptions {
  /** The Azurite account to forward to (ensureAzuriteServer() gives one). */
  readonly target: AccountAccess;
  /**
   * Hold every rehydration (Set Blob Tier from Archive to an online tier) pending until the
   * test completes it. Default true, which is how Azure behaves (hours, not milliseconds).
   * When false, only blobs passed to `archive()` are held.
   */
  readonly holdAllRehydrations?: boolean;
}

/** A Set Blob Tier request the proxy saw. */
export interface TierRequest {
  readonly container: string;
  readonly blob: string;
  readonly tier: string;
  readonly priority: string | undefined;
  /** Whether the proxy held it as a pending rehydration (true) or passed it on (false). */
  readonly held: boolean;
}

/** Errors the proxy answers with instead of forwarding, to test retry and classification. */
export interface InjectedFault {
  readonly status: number;
  /** Azure error code (x-ms-error-code), e.g. ServerBusy. */
  readonly code: string;
  /** Retry-After header value, if any. */
  readonly retryAfter?: string;
  /** How many matching requests fail (default 1). */
  readonly times?: number;
  /** Which requests fail (default: every request). */
  readonly match?: (request: { method: string; container?: string; blob?: string; comp: string | null }) => boolean;
}

export interface AzureArchiveProxy {
  /** Path-style endpoint clients use instead of Azurite's, e.g. http://127.0.0.1:41234/devstoreaccount1 */
  readonly blobEndpoint: string;
  readonly port: number;
  /** Put a blob in the Archive tier (for real, in Azurite) and hold its rehydration when requested. */
  archive(container: string, blob: string): Promise<void>;
  /** Report a blob as being rehydrated to `targetTier`, as if a client had asked. Azurite keeps it in Archive. */
  markPending(container: string, blob: string, targetTier?: string, priority?: string): void;
  /** The blob's pending rehydration, if any. */
  pendingOf(container: string, blob: string): PendingRehydration | undefined;
  /**
   * Finish a pending rehydration: the blob moves to its target tier (in Azurite) and is
   * readable. For the destination of a pending copy whose source was deleted or overwritten
   * since the copy began, the copy fails instead and the destination is removed (Azure:
   * "If the source blob is deleted, then the destination blob may not finish copying").
   */
  completeRehydration(container: string, blob: string): Promise<RehydrationOutcome>;
  /** Finish every pending rehydration (and pending copy); resolves with how many there were. */
  completeAll(): Promise<number>;
  /** Destinations of copies that failed at completion, as `container/blob`. */
  readonly failedCopies: readonly string[];
  /** Answer the next matching requests with an error instead of forwarding them. */
  injectFault(fault: InjectedFault): void;
  /** Every Set Blob Tier request seen, in order. */
  readonly tierRequests: readonly TierRequest[];
  close(): Promise<void>;
}

/** Headers of the response the proxy makes up itself, like Azure's own. */
function serviceHeaders(extra: OutgoingHttpHeaders = {}): OutgoingHttpHeaders {
  return { 'x-ms-request-id': randomUUID(), 'x-ms-version': '2021-12-02', date: new Date().toUTCString(), server: 'nimbus-azure-archive-proxy', ...extra };
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  res.writeHead(status, message, serviceHeaders({ 'x-ms-error-code': code, 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) }));
  res.end(body);
}

/**
 * An HTTP proxy in front of Azurite that makes Archive rehydration take time, as on Azure.
 * Azurite applies a tier change from Archive at once; the proxy instead answers Set Blob
 * Tier with 202 Accepted and, until the test calls `completeRehydration`, reports the blob
 * the way Azure does while rehydrating: `x-ms-access-tier: Archive` with
 * `x-ms-archive-status: rehydrate-pending-to-<tier>` on Get Blob Properties,
 * `<AccessTier>`/`<ArchiveStatus>` in List Blobs, and 409 BlobArchived on Get Blob
 * (Azurite itself keeps the blob archived, so it answers the last one).
 *
 * It also refuses what Azure refuses on archived blobs and Azurite lets through: Set Blob
 * Metadata, Set Blob Properties, snapshots and block uploads (409 BlobArchived), and a
 * Copy Blob from an archived source except to an online tier, which stays pending (the
 * destination rehydrating) until the test completes it.
 *
 * Everything else is forwarded unchanged, bodies streamed. Shared Key and SAS signatures
 * cover the method, path, query and x-ms-* headers but not the host, so forwarded
 * requests stay valid.
 */
export async function startAzureArchiveProxy(options: AzureArchiveProxyOptions): Promise<AzureArchiveProxy> {
  const target = new URL(options.target.blobEndpoint);
  const admin = new AzuriteAdmin(options.target);
  const agent = new Agent({ keepAlive: true });
  const holdAll = options.holdAllRehydrations ?? true;
  const held = new Set<string>();
  const pending = new Map<string, PendingRehydration>();
  const tierRequests: TierRequest[] = [];
  const faults: { fault: InjectedFault; left: number }[] = [];
  const failedCopies: string[] = [];

  /** Answer with an injected fault when one matches; true when it did. */
  function injected(req: IncomingMessage, res: ServerResponse, address: BlobAddress | undefined, comp: string | null): boolean {
    const request = { method: req.method ?? 'GET', comp, ...(address ? { container: address.container, blob: address.blob } : {}) };
    const slot = faults.find((f) => f.left > 0 && (f.fault.match?.(request) ?? true));
    if (!slot) return false;
    slot.left--;
    req.resume();
    const { status, code, retryAfter } = slot.fault;
    const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>Injected by the test proxy.</Message></Error>`;
    res.writeHead(status, code, serviceHeaders({
      'x-ms-error-code': code,
      'content-type': 'application/xml',
      'content-length': Buffer.byteLength(body),
      ...(retryAfter !== undefined ? { 'retry-after': retryAfter } : {}),
    }));
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  }

  const isHeld = (a: BlobAddress) => holdAll || held.has(blobKey(a.container, a.blob));

  /** Set Blob Tier: hold a rehydration from Archive, refuse a tier change while one is pending. */
  async function setTier(req: IncomingMessage, res: ServerResponse, address: BlobAddress): Promise<boolean> {
    const tier = String(req.headers['x-ms-access-tier'] ?? '');
    const priority = req.headers['x-ms-rehydrate-priority'] === undefined ? undefined : String(req.headers['x-ms-rehydrate-priority']);
    const key = blobKey(address.container, address.blob);
    const current = pending.get(key);
    if (current) {
      req.resume();
      tierRequests.push({ container: address.container, blob: address.blob, tier, priority, held: true });
      if (tier.toLowerCase() !== current.targetTier.toLowerCase()) {
        sendError(res, 409, 'BlobBeingRehydrated', 'This operation is not permitted because the blob is being rehydrated.');
        return true;
      }
      // Azure lets a pending rehydration be sped up (Standard → High), nothing else.
      if (priority === 'High') pending.set(key, { ...current, priority });
      res.writeHead(202, 'Accepted', serviceHeaders({ 'content-length': 0 })).end();
      return true;
    }
    if (!ONLINE_TIERS.has(tier.toLowerCase()) || !isHeld(address) || (await admin.tierOf(address.container, address.blob)) !== 'Archive') {
      tierRequests.push({ container: address.container, blob: address.blob, tier, priority, held: false });
      return false;
    }
    req.resume();
    tierRequests.push({ container: address.container, blob: address.blob, tier, priority, held: true });
    pending.set(key, { targetTier: tier, priority: priority ?? 'Standard' });
    res.writeHead(202, 'Accepted', serviceHeaders({ 'content-length': 0 })).end();
    return true;
  }

  /** Whether Azurite holds the blob in Archive (pending rehydrations and pending copies included). */
  async function isArchived(address: BlobAddress): Promise<boolean> {
    return pending.has(blobKey(address.container, address.blob)) || (await admin.tierOf(address.container, address.blob)) === 'Archive';
  }

  /**
   * Copy Blob (or Copy Blob from URL) from an archived source in the same account. Azure's
   * "Blob rehydration from the archive tier": "The target blob for the copy operation must
   * be in an online tier (hot or cool). You can't copy an archived blob to a destination
   * blob that is also in the archive tier", so a copy without an online x-ms-access-tier is
   * refused with 409 BlobArchived. An allowed one "can take hours to complete [...] The new
   * blob may be visible when you list the blobs [...] but its tier will be set to archive.
   * The data isn't available until [...]": the proxy answers 202 with x-ms-copy-status
   * pending and keeps the destination archived, pending, until `completeRehydration`.
   * Returns false when the source is not archived (the request is forwarded as it is).
   */
  async function copyFromArchive(req: IncomingMessage, res: ServerResponse, destination: BlobAddress, copySource: string): Promise<boolean> {
    let source: BlobAddress | undefined;
    try {
      source = blobAddressOf(new URL(copySource).pathname);
    } catch {
      return false;
    }
    if (!source?.blob || source.account !== destination.account) return false;
    const state = await admin.stateOf(source.container, source.blob);
    if (state?.tier !== 'Archive') return false;
    const tier = req.headers['x-ms-access-tier'] === undefined ? undefined : String(req.headers['x-ms-access-tier']);
    if (!tier || !ONLINE_TIERS.has(tier.toLowerCase())) {
      req.resume();
      sendError(res, 409, 'BlobArchived', BLOB_ARCHIVED_MESSAGE);
      return true;
    }
    const priority = req.headers['x-ms-rehydrate-priority'] === undefined ? 'Standard' : String(req.headers['x-ms-rehydrate-priority']);
    const { container, blob } = source;
    // Azurite copies at once into the online tier; the proxy puts the copy back in Archive until the test completes it.
    forward(req, res, async (status, headers) => {
      if (status !== 202) return { headers };
      const id = String(headers['x-ms-copy-id'] ?? randomUUID());
      await admin.setTier(destination.container, destination.blob, 'Archive');
      pending.set(blobKey(destination.container, destination.blob), {
        targetTier: tier, priority, copy: { id, sourceContainer: container, sourceBlob: blob, sourceEtag: state.etag },
      });
      headers['x-ms-copy-status'] = 'pending';
      return { headers };
    });
    return true;
  }

  type Rewrite = (status: number, headers: OutgoingHttpHeaders, body: Buffer | undefined) => Rewritten | Promise<Rewritten>;
  interface Rewritten {
    headers: OutgoingHttpHeaders;
    body?: Buffer;
  }

  function forward(req: IncomingMessage, res: ServerResponse, rewrite?: Rewrite, bufferBody = false): void {
    const headers = { ...req.headers, host: target.host };
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent }, (upRes) => {
      const status = upRes.statusCode ?? 502;
      const upHeaders: OutgoingHttpHeaders = { ...upRes.headers };
      if (!rewrite) {
        res.writeHead(status, upRes.statusMessage, upHeaders);
        upRes.pipe(res);
        return;
      }
      const failed = (error: Error) => {
        if (!res.headersSent) sendError(res, 500, 'InternalError', `azure archive proxy: ${error.message}`);
        else res.destroy(error);
      };
      if (!bufferBody) {
        Promise.resolve(rewrite(status, upHeaders, undefined)).then((out) => {
          res.writeHead(status, upRes.statusMessage, out.headers);
          upRes.pipe(res);
        }, failed);
        return;
      }
      const chunks: Buffer[] = [];
      upRes.on('data', (c: Buffer) => chunks.push(c));
      upRes.on('end', () => {
        Promise.resolve(rewrite(status, upHeaders, Buffer.concat(chunks))).then((out) => {
          const body = out.body ?? Buffer.concat(chunks);
          delete out.headers['transfer-encoding'];
          out.headers['content-length'] = body.length;
          res.writeHead(status, upRes.statusMessage, out.headers);
          res.end(body);
        }, failed);
      });
      upRes.on('error', (error) => res.destroy(error));
    });
    upstream.on('error', (error) => {
      if (!res.headersSent) sendError(res, 502, 'ProxyUpstreamError', `azure archive proxy: ${error.message}`);
      else res.destroy(error);
    });
    req.on('aborted', () => upstream.destroy());
    req.pipe(upstream);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const address = blobAddressOf(url.pathname);
    const comp = url.searchParams.get('comp');
    if (injected(req, res, address, comp)) return;
    if (address && address.blob && req.method === 'PUT' && comp === 'tier') {
      if (await setTier(req, res, address)) return;
    }
    if (address && address.blob && req.method === 'PUT' && comp !== null && REFUSED_WHEN_ARCHIVED.has(comp) && (await isArchived(address))) {
      req.resume();
      sendError(res, 409, 'BlobArchived', BLOB_ARCHIVED_MESSAGE);
      return;
    }
    const copySource = req.headers['x-ms-copy-source'];
    if (address && address.blob && req.method === 'PUT' && comp === null && typeof copySource === 'string') {
      if (await copyFromArchive(req, res, address, copySource)) return;
    }
    if (address && address.blob && req.method === 'DELETE' && comp === null) {
      const key = blobKey(address.container, address.blob);
      forward(req, res, (status, headers) => {
        if (status === 202) pending.delete(key);
        return { headers };
      });
      return;
    }
    if (address && address.blob && req.method === 'HEAD' && comp === null) {
      const state = pending.get(blobKey(address.container, address.blob));
      if (state) {
        forward(req, res, (status, headers) => {
          if (status === 200) {
            headers['x-ms-access-tier'] = 'Archive';
            headers['x-ms-archive-status'] = archiveStatusFor(state);
            headers['x-ms-rehydrate-priority'] = state.priority;
            if (state.copy) {
              headers['x-ms-copy-status'] = 'pending';
              headers['x-ms-copy-id'] = state.copy.id;
            }
          }
          return { headers };
        });
        return;
      }
    }
    if (address && !address.blob && req.method === 'GET' && comp === 'list' && url.searchParams.get('restype') === 'container' && pending.size) {
      const container = address.container;
      forward(
        req,
        res,
        (status, headers, body) => {
          if (status !== 200 || !body || headers['content-encoding']) return { headers };
          const xml = markPendingInListing(body.toString('utf8'), (name) => pending.get(blobKey(container, name)));
          return { headers, body: Buffer.from(xml, 'utf8') };
        },
        true,
      );
      return;
    }
    forward(req, res);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) sendError(res, 500, 'InternalError', `azure archive proxy: ${error.message}`);
      else res.destroy(error);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;

  const proxy: AzureArchiveProxy = {
    blobEndpoint: `http://127.0.0.1:${port}${target.pathname.replace(/\/$/, '')}`,
    port,
    tierRequests,
    failedCopies,
    injectFault(fault) {
      faults.push({ fault, left: fault.times ?? 1 });
    },
    async archive(container, blob) {
      held.add(blobKey(container, blob));
      pending.delete(blobKey(container, blob));
      await admin.setTier(container, blob, 'Archive');
    },
    markPending(container, blob, targetTier = 'Hot', priority = 'Standard') {
      held.add(blobKey(container, blob));
      pending.set(blobKey(container, blob), { targetTier, priority });
    },
    pendingOf: (container, blob) => pending.get(blobKey(container, blob)),
    async completeRehydration(container, blob) {
      const key = blobKey(container, blob);
      const state = pending.get(key);
      if (!state) throw new Error(`azure archive proxy: ${key} has no pending rehydration`);
      if (state.copy) {
        const source = await admin.stateOf(state.copy.sourceContainer, state.copy.sourceBlob);
        if (source?.etag !== state.copy.sourceEtag) {
          pending.delete(key);
          failedCopies.push(key);
          await admin.delete(container, blob);
          return 'failed';
        }
      }
      await admin.setTier(container, blob, state.targetTier);
      pending.delete(key);
      return 'completed';
    },
    async completeAll() {
      const keys = [...pending.keys()];
      for (const key of keys) {
        const slash = key.indexOf('/');
        await proxy.completeRehydration(key.slice(0, slash), key.slice(slash + 1));
      }
      return keys.length;
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      agent.destroy();
      admin.close();
    },
  };
  return proxy;
}
