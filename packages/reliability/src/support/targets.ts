import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
  AbortMultipartUploadCommand,
} from '@aws-sdk/client-s3';
import { BlobServiceClient, StorageSharedKeyCredential, type ContainerClient } from '@azure/storage-blob';
import { ensureAzuriteServer, ensureSwiftServer, digestStream, type ErrorDialect } from '@nimbus/testkit';
import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { mapLimit } from './pool.js';

/** A real test server the suite backs up to, seen two ways: as Nimbus settings, and through an independent client. */
export interface ServerTarget {
  /** swift-s3 | swift-native | azurite */
  readonly name: string;
  /** The Nimbus plugin id. */
  readonly provider: string;
  readonly dialect: ErrorDialect;
  /** Base URL of the real server, for a proxy's `target`. */
  readonly upstream: string;
  /** The profile's `destination` block; with `endpoint` (a proxy's), everything goes through it. */
  destination(endpoint?: string): Record<string, unknown>;
  /** The request path (as a proxy sees it, decoded) of the object for a relative file path. */
  requestPath(relative: string): string;
  /** Every object below the destination's root, read directly from the server: relative path → SHA-256. */
  objects(): Promise<Map<string, string>>;
  /** The relative names of the objects below the destination's root (a listing only: cheap enough to poll). */
  names(): Promise<string[]>;
  /** Leftovers of partial uploads: multipart uploads, unreferenced segments, uncommitted blobs. */
  leftovers(): Promise<string[]>;
  /** Secrets the destination settings hold. */
  readonly secrets: readonly string[];
  cleanup(): Promise<void>;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const label = () => randomBytes(4).toString('hex');
const sorted = (m: Map<string, string>) => new Map([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** A client of the Swift server's S3 API that checks nothing itself: what tests verify with. */
export async function swiftS3Client(): Promise<S3Client> {
  const server = await ensureSwiftServer();
  return new S3Client({
    endpoint: server.s3Endpoint,
    region: server.region,
    forcePathStyle: true,
    credentials: { accessKeyId: server.s3AccessKeyId, secretAccessKey: server.s3SecretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** A bucket of the Swift server's S3 API, verified with @aws-sdk/client-s3. */
export async function swiftS3Target(name = 'rel'): Promise<ServerTarget> {
  const server = await ensureSwiftServer();
  const client = await swiftS3Client();
  const bucket = `nimbus-${name}-${label()}`;
  const prefix = 'root';
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  const keys = async () => {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/`, ...(token ? { ContinuationToken: token } : {}) }));
      out.push(...(page.Contents ?? []).map((c) => c.Key!));
      token = page.NextContinuationToken;
    } while (token);
    return out;
  };
  const uploads = async () => (await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? [];
  return {
    name: 'swift-s3',
    provider: 's3',
    dialect: 's3',
    upstream: server.s3Endpoint,
    destination: (endpoint) => ({
      provider: 's3',
      bucket,
      prefix,
      endpoint: endpoint ?? server.s3Endpoint,
      useHttps: false,
      s3Compatible: true,
      region: server.region,
      accessKeyId: server.s3AccessKeyId,
      secretAccessKey: server.s3SecretAccessKey,
      multipartThreshold: 5 * 1024 * 1024,
    }),
    requestPath: (relative) => `/${bucket}/${prefix}/${relative}`,
    names: async () => (await keys()).map((key) => key.slice(prefix.length + 1)),
    async objects() {
      const all = await keys();
      const digests = await mapLimit(all, 8, async (key) => {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return (await digestStream(object.Body as Readable)).sha256;
      });
      return sorted(new Map(all.map((key, i) => [key.slice(prefix.length + 1), digests[i]!])));
    },
    async leftovers() {
      return (await uploads()).map((u) => `multipart upload ${u.Key} (${u.UploadId})`);
    },
    secrets: [server.s3SecretAccessKey],
    async cleanup() {
      for (const u of await uploads()) await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key!, UploadId: u.UploadId! }));
      await mapLimit(await keys(), 8, (key) => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })));
      await client.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined); // Swift's counts may lag; an empty bucket left is harmless
      client.destroy();
    },
  };
}

/** A tempauth session on the Swift server's native API, with plain HTTP (no Nimbus code). */
async function swiftSession(authUrl: string, user: string, key: string): Promise<{ token: string; storageUrl: string }> {
  const answer = await fetch(authUrl, { headers: { 'x-auth-user': user, 'x-auth-key': key } });
  if (answer.status !== 200) throw new Error(`swift auth: HTTP ${answer.status}`);
  return { token: answer.headers.get('x-auth-token')!, storageUrl: answer.headers.get('x-storage-url')! };
}

const encodePath = (path: string) => path.split('/').map(encodeURIComponent).join('/');

/** A folder of a container on the Swift server's native API, verified with plain HTTP and a tempauth token. */
export async function swiftNativeTarget(name = 'rel'): Promise<ServerTarget> {
  const server = await ensureSwiftServer();
  const container = `nimbus-${name}-${label()}`;
  const segments = `${container}_segments`;
  const path = 'root';
  let session = await swiftSession(server.authUrl, server.user, server.key);
  const call = async (method: string, resource: string, query = ''): Promise<Response> => {
    const send = () => fetch(`${session.storageUrl}/${encodePath(resource)}${query}`, { method, headers: { 'x-auth-token': session.token } });
    const answer = await send();
    if (answer.status !== 401) return answer;
    // Tests revoke the user's token (tempauth shares one per user): authenticate again.
    session = await swiftSession(server.authUrl, server.user, server.key);
    return send();
  };
  const list = async (which: string, prefix: string) => {
    const names: { name: string; slo: boolean }[] = [];
    let marker = '';
    for (;;) {
      const answer = await call('GET', which, `?format=json&prefix=${encodeURIComponent(prefix)}&marker=${encodeURIComponent(marker)}`);
      if (answer.status === 404) return names;
      const page = (await answer.json()) as { name: string; slo_etag?: string }[];
      if (!page.length) return names;
      names.push(...page.map((e) => ({ name: e.name, slo: e.slo_etag !== undefined })));
      marker = page.at(-1)!.name;
    }
  };
  const base = server.storageUrl.replace(/^https?:\/\/[^/]+/, '');
  return {
    name: 'swift-native',
    provider: 'openstack',
    dialect: 'swift',
    upstream: server.authUrl.replace(/\/auth\/v1\.0$/, ''),
    destination: (endpoint) => ({
      provider: 'openstack',
      authUrl: endpoint ? `${endpoint}/auth/v1.0` : server.authUrl,
      user: server.user,
      key: server.key,
      container,
      path,
      largeFileThreshold: 4 * 1024 * 1024,
      segmentSize: 2 * 1024 * 1024,
    }),
    requestPath: (relative) => `${base}/${container}/${path}/${relative}`,
    names: async () => (await list(container, `${path}/`)).map((e) => e.name.slice(path.length + 1)),
    async objects() {
      const names = (await list(container, `${path}/`)).map((e) => e.name);
      const digests = await mapLimit(names, 8, async (n) => {
        const answer = await call('GET', `${container}/${n}`);
        if (answer.status !== 200) throw new Error(`GET ${n}: HTTP ${answer.status}`);
        return sha256(Buffer.from(await answer.arrayBuffer()));
      });
      return sorted(new Map(names.map((n, i) => [n.slice(path.length + 1), digests[i]!])));
    },
    async leftovers() {
      const manifests = (await list(container, `${path}/`)).filter((e) => e.slo);
      const referenced = new Set<string>();
      for (const m of manifests) {
        const answer = await call('GET', `${container}/${m.name}`, '?multipart-manifest=get&format=raw');
        const parts = (await answer.json()) as { path?: string; name?: string }[];
        for (const p of parts) referenced.add((p.path ?? p.name ?? '').replace(/^\//, ''));
      }
      const stored = (await list(segments, `${path}/`)).map((e) => `${segments}/${e.name}`);
      return stored.filter((s) => !referenced.has(s)).map((s) => `unreferenced segment ${s}`);
    },
    secrets: [server.key],
    async cleanup() {
      for (const which of [container, segments]) {
        const names = (await list(which, '')).map((e) => e.name);
        await mapLimit(names, 8, (n) => call('DELETE', `${which}/${n}`));
        await call('DELETE', which);
      }
    },
  };
}

/** A container in Azurite, verified with @azure/storage-blob. */
export async function azuriteTarget(name = 'rel'): Promise<ServerTarget> {
  const server = await ensureAzuriteServer();
  const credential = new StorageSharedKeyCredential(server.accountName, server.accountKey);
  const service = new BlobServiceClient(server.blobEndpoint, credential);
  const containerName = `nimbus-${name}-${label()}`;
  const container: ContainerClient = service.getContainerClient(containerName);
  await container.create();
  const prefix = 'root';
  const accountPath = new URL(server.blobEndpoint).pathname.replace(/\/$/, '');
  const blockSize = 1024 * 1024;
  return {
    name: 'azurite',
    provider: 'azure',
    dialect: 'azure',
    upstream: server.blobEndpoint,
    destination: (endpoint) => ({
      provider: 'azure',
      accountName: server.accountName,
      accountKey: server.accountKey,
      serviceUrl: endpoint ?? server.blobEndpoint,
      container: containerName,
      prefix,
      blockSize,
    }),
    requestPath: (relative) => `${accountPath}/${containerName}/${prefix}/${relative}`,
    async names() {
      const names: string[] = [];
      for await (const blob of container.listBlobsFlat({ prefix: `${prefix}/` })) names.push(blob.name.slice(prefix.length + 1));
      return names;
    },
    async objects() {
      const names: string[] = [];
      for await (const blob of container.listBlobsFlat({ prefix: `${prefix}/` })) names.push(blob.name);
      const digests = await mapLimit(names, 8, async (n) => sha256(await container.getBlobClient(n).downloadToBuffer()));
      return sorted(new Map(names.map((n, i) => [n.slice(prefix.length + 1), digests[i]!])));
    },
    async leftovers() {
      const committed = new Map<string, number>();
      for await (const blob of container.listBlobsFlat({ prefix: `${prefix}/` })) committed.set(blob.name, blob.properties.contentLength ?? 0);
      const out: string[] = [];
      for await (const blob of container.listBlobsFlat({ prefix: `${prefix}/`, includeUncommitedBlobs: true })) {
        if (!committed.has(blob.name)) out.push(`uncommitted blob ${blob.name}`);
      }
      // Blocks staged but never committed on a committed blob (a failed replacement) stay for 7 days on Azure.
      const large = [...committed].filter(([, size]) => size > blockSize).map(([n]) => n);
      for (const n of large) {
        const list = await container.getBlockBlobClient(n).getBlockList('uncommitted');
        if (list.uncommittedBlocks?.length) out.push(`${list.uncommittedBlocks.length} uncommitted blocks on ${n}`);
      }
      return out;
    },
    secrets: [server.accountKey],
    async cleanup() {
      await container.deleteIfExists();
    },
  };
}

export const TARGETS = { 'swift-s3': swiftS3Target, 'swift-native': swiftNativeTarget, azurite: azuriteTarget } as const;
export type TargetName = keyof typeof TARGETS;
