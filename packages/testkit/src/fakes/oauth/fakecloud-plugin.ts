import { Readable } from 'node:stream';
import {
  definePlugin,
  MINIMAL_CAPABILITIES,
  ProviderError,
  UserError,
  withAccessToken,
  z,
  type BucketInfo,
  type RemoteEntry,
  type StorageProvider,
  type TokenSource,
  type WriteOptions,
} from '@nimbus/kernel';

const configSchema = z.strictObject({
  /** Base URL of the fake's storage API, e.g. http://127.0.0.1:PORT/api. */
  api: z.url(),
  /** Bytes per upload part: each part asks the token source for a token. */
  partSize: z.int().min(1).default(1024 * 1024),
});
type FakeCloudConfig = z.output<typeof configSchema>;

interface ObjectJson {
  readonly path: string;
  readonly size: number;
  readonly mtime: number;
}

/** Every request goes through the token source: a fresh token each time, one retry after a 401. */
async function call(tokens: TokenSource, url: string, init: RequestInit = {}): Promise<Response> {
  let response: Response;
  try {
    response = await withAccessToken(tokens, async (token) => {
      const r = await fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` } });
      if (r.status === 401) await r.body?.cancel();
      return r;
    });
  } catch (error) {
    if (error instanceof UserError || error instanceof ProviderError) throw error;
    throw new ProviderError('transient', `fakecloud unreachable: ${(error as Error).message}`, { cause: error });
  }
  if (response.status === 401) throw new ProviderError('auth', `fakecloud refused the token of account "${tokens.account}"`);
  if (response.status >= 500 || response.status === 429) throw new ProviderError('transient', `fakecloud answered ${response.status}`);
  return response;
}

async function* parts(body: Readable, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    pending.push(chunk as Buffer);
    length += (chunk as Buffer).length;
    while (length >= size) {
      const all = Buffer.concat(pending);
      yield all.subarray(0, size);
      pending = [all.subarray(size)];
      length = all.length - size;
    }
  }
  if (length > 0 || pending.length === 0) yield Buffer.concat(pending);
}

/** A storage provider on the OAuth fake's API: uploads in parts, a token asked for each part. */
class FakeCloudProvider implements StorageProvider {
  readonly capabilities = { ...MINIMAL_CAPABILITIES, mtime: { support: 'on-upload' as const, precisionMs: 1 } };
  constructor(private readonly config: FakeCloudConfig, private readonly tokens: TokenSource) {}

  private url(path: string): string {
    return `${this.config.api}/${path.split('/').map(encodeURIComponent).join('%2F')}`;
  }

  async *list(dir: string, options: { recursive?: boolean } = {}): AsyncIterable<RemoteEntry[]> {
    const prefix = dir ? `${dir}/` : '';
    const response = await call(this.tokens, `${this.config.api}/objects?prefix=${encodeURIComponent(prefix)}`);
    const all = (await response.json()) as ObjectJson[];
    const entries: RemoteEntry[] = [];
    const folders = new Set<string>();
    for (const o of all) {
      const rest = o.path.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash >= 0 && !options.recursive) {
        folders.add(prefix + rest.slice(0, slash));
        continue;
      }
      entries.push({ path: o.path, kind: 'file', size: o.size, mtime: o.mtime });
    }
    for (const folder of folders) entries.push({ path: folder, kind: 'folder', size: 0 });
    if (entries.length) yield entries;
  }

  async stat(path: string): Promise<RemoteEntry | undefined> {
    const response = await call(this.tokens, this.url(`objects/${path}`), { method: 'HEAD' });
    if (response.status === 404) return undefined;
    return { path, kind: 'file', size: Number(response.headers.get('content-length')), mtime: Number(response.headers.get('x-mtime')) };
  }

  async read(path: string, options: { range?: { start: number; end?: number } } = {}): Promise<Readable> {
    const response = await call(this.tokens, this.url(`objects/${path}`));
    if (response.status === 404) throw new ProviderError('not-found', `${path} not found`);
    let data = Buffer.from(await response.arrayBuffer());
    if (options.range) data = data.subarray(options.range.start, options.range.end === undefined ? undefined : options.range.end + 1);
    return Readable.from([data]);
  }

  async write(path: string, body: Readable, options: WriteOptions = {}): Promise<RemoteEntry> {
    const session = await call(this.tokens, `${this.config.api}/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path, mtime: options.mtime }),
    });
    const { id } = (await session.json()) as { id: string };
    let index = 0;
    let sent = 0;
    for await (const part of parts(body, this.config.partSize)) {
      const response = await call(this.tokens, `${this.config.api}/uploads/${id}/parts/${index++}`, { method: 'PUT', body: new Uint8Array(part) });
      if (!response.ok) throw new ProviderError('unknown', `part ${index - 1} of ${path} refused: ${response.status}`);
      await response.body?.cancel();
      sent += part.length;
      options.onProgress?.(sent);
    }
    if (options.size !== undefined && sent !== options.size) throw new ProviderError('conflict', `${path}: sent ${sent} bytes, expected ${options.size}`);
    const done = await call(this.tokens, `${this.config.api}/uploads/${id}/complete`, { method: 'POST' });
    if (!done.ok) throw new ProviderError('unknown', `completing ${path} failed: ${done.status}`);
    const result = (await done.json()) as ObjectJson;
    return { path, kind: 'file', size: result.size, mtime: result.mtime };
  }

  async listBuckets(): Promise<BucketInfo[]> {
    const response = await call(this.tokens, `${this.config.api}/drives`);
    if (response.status === 403) throw new ProviderError('permission', 'this account may not list drives');
    return (await response.json()) as BucketInfo[];
  }

  async delete(path: string): Promise<void> {
    const response = await call(this.tokens, this.url(`objects/${path}`), { method: 'DELETE' });
    await response.body?.cancel();
  }
}

/**
 * `fakecloud`: a test plugin that signs in with a linked account on the testkit's OAuth fake
 * (its endpoints are given when the account is added, e.g. `--endpoint token=http://127.0.0.1:P/token`).
 */
export default definePlugin({
  id: 'fakecloud',
  displayName: 'Fake cloud (OAuth test plugin)',
  kernelApi: '^1.0.0',
  configSchema,
  capabilities: { ...MINIMAL_CAPABILITIES, mtime: { support: 'on-upload', precisionMs: 1 } },
  oauth: {
    endpoints: {
      authorization: 'https://auth.fakecloud.invalid/authorize',
      token: 'https://auth.fakecloud.invalid/token',
      device: 'https://auth.fakecloud.invalid/device',
      revocation: 'https://auth.fakecloud.invalid/revoke',
      userinfo: 'https://auth.fakecloud.invalid/userinfo',
    },
    defaultScopes: ['files'],
    clientRegistrationHelp: 'create a client in the fake\'s console (tests pass the one they configured)',
  },
  describeLocation: (config) => config.api,
  connect: async (config, context) => {
    if (!context.tokens) throw new UserError('fakecloud needs a linked account: add account: <name> to the destination');
    return new FakeCloudProvider(config, context.tokens);
  },
});
