import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

/** Where the fake's tokens really come from: a Swift tempauth user. */
export interface SwiftAccount {
  readonly authUrl: string;
  readonly user: string;
  readonly key: string;
}

export interface IdentityUser {
  readonly name: string;
  readonly id?: string;
  readonly password: string;
  /** v3 domain name of the user (default "Default"). */
  readonly domain?: string;
  /** The tenant/project the user belongs to. */
  readonly project: { readonly name: string; readonly id: string; readonly domain?: string };
  /** The Swift account whose tempauth tokens this user gets. */
  readonly swift: SwiftAccount;
}

export interface IdentityApplicationCredential {
  readonly id: string;
  readonly name: string;
  readonly secret: string;
  /** Name of the user (in `users`) it belongs to; it is scoped to that user's project. */
  readonly user: string;
}

export interface IdentityFakeOptions {
  readonly users: readonly IdentityUser[];
  readonly applicationCredentials?: readonly IdentityApplicationCredential[];
  /** Extra object-store regions in the catalog, each pointing at `url` (e.g. an unused loopback port). */
  readonly extraRegions?: readonly { readonly region: string; readonly url: string }[];
}

export interface IdentityFake {
  /** e.g. http://127.0.0.1:PORT — Identity v2.0 is at `${url}/v2.0`, v3 at `${url}/v3`. */
  readonly url: string;
  readonly v2Url: string;
  readonly v3Url: string;
  /** Token requests answered with a token, per API version. */
  readonly issued: { v2: number; v3: number };
  /** Request bodies received (passwords and secrets included: tests only). */
  readonly requests: { path: string; body: unknown }[];
  close(): Promise<void>;
}

/**
 * A wire-level fake of the OpenStack Identity token endpoints (v2.0 `POST /v2.0/tokens`,
 * v3 `POST /v3/auth/tokens` with the password and application_credential methods), for
 * plugins that must speak Identity v2/v3 while the only object store running is a Swift
 * with tempauth. Each token it issues is a real tempauth token of the user's Swift
 * account, and the catalog's object-store endpoint is that account's storage URL, so the
 * client under test talks to the real Swift with it. Refused credentials get 401.
 */
export async function startIdentityFake(options: IdentityFakeOptions): Promise<IdentityFake> {
  const issued = { v2: 0, v3: 0 };
  const requests: { path: string; body: unknown }[] = [];
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error) => send(res, 500, { error: { code: 500, title: 'Internal Server Error', message: String(error) } }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0]!.replace(/\/+$/, '');
    const text = await readAll(req);
    let body: any;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      return send(res, 400, { error: { code: 400, title: 'Bad Request', message: 'Malformed request body' } });
    }
    requests.push({ path, body });
    if (req.method === 'POST' && path === '/v2.0/tokens') return v2Token(body, res);
    if (req.method === 'POST' && path === '/v3/auth/tokens') return v3Token(body, res);
    if (req.method === 'GET' && (path === '/v3' || path === '/v2.0')) return send(res, 200, { version: { id: path.slice(1), status: 'stable' } });
    send(res, 404, { error: { code: 404, title: 'Not Found', message: `The resource could not be found: ${path}` } });
  }

  async function v2Token(body: any, res: ServerResponse): Promise<void> {
    const creds = body?.auth?.passwordCredentials;
    const user = options.users.find((u) => u.name === creds?.username && u.password === creds?.password);
    const tenantName = body?.auth?.tenantName;
    const tenantId = body?.auth?.tenantId;
    if (!user || (tenantName !== undefined && tenantName !== user.project.name) || (tenantId !== undefined && tenantId !== user.project.id)) {
      return send(res, 401, { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } });
    }
    const { token, storageUrl } = await tempauth(user.swift);
    const expires = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    issued.v2++;
    const scoped = tenantName !== undefined || tenantId !== undefined;
    send(res, 200, {
      access: {
        token: { id: token, expires, issued_at: new Date().toISOString(), ...(scoped ? { tenant: { id: user.project.id, name: user.project.name, enabled: true } } : {}) },
        // An unscoped v2 token carries no catalog, as Keystone does.
        serviceCatalog: scoped ? catalogV2(storageUrl) : [],
        user: { id: user.id ?? user.name, name: user.name, roles: [{ name: 'member' }] },
        metadata: { is_admin: 0, roles: [] },
      },
    });
  }

  async function v3Token(body: any, res: ServerResponse): Promise<void> {
    const identity = body?.auth?.identity;
    const methods: string[] = identity?.methods ?? [];
    let user: IdentityUser | undefined;
    let projectScoped = false;
    if (methods.includes('application_credential')) {
      const ac = identity.application_credential ?? {};
      const credential = (options.applicationCredentials ?? []).find((c) =>
        c.secret === ac.secret && (ac.id ? c.id === ac.id : c.name === ac.name && (ac.user?.name === c.user || ac.user?.id === options.users.find((u) => u.name === c.user)?.id)),
      );
      if (body?.auth?.scope) return send(res, 401, { error: { code: 401, title: 'Unauthorized', message: 'Application credentials cannot request a scope.' } });
      user = credential ? options.users.find((u) => u.name === credential.user) : undefined;
      projectScoped = true;
    } else if (methods.includes('password')) {
      const u = identity.password?.user ?? {};
      user = options.users.find((candidate) =>
        candidate.password === u.password &&
        (u.id ? (candidate.id ?? candidate.name) === u.id : candidate.name === u.name && (candidate.domain ?? 'Default') === (u.domain?.name ?? u.domain?.id)),
      );
      const project = body?.auth?.scope?.project;
      if (user && project) {
        const matches = project.id ? project.id === user.project.id : project.name === user.project.name && (user.project.domain ?? 'Default') === (project.domain?.name ?? project.domain?.id);
        if (!matches) user = undefined;
        projectScoped = true;
      }
    }
    if (!user) return send(res, 401, { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } });
    const { token, storageUrl } = await tempauth(user.swift);
    issued.v3++;
    const now = new Date();
    res.setHeader('X-Subject-Token', token);
    send(res, 201, {
      token: {
        methods,
        expires_at: new Date(now.getTime() + 3600_000).toISOString(),
        issued_at: now.toISOString(),
        user: { id: user.id ?? user.name, name: user.name, domain: { id: 'default', name: user.domain ?? 'Default' } },
        ...(projectScoped
          ? {
              project: { id: user.project.id, name: user.project.name, domain: { id: 'default', name: user.project.domain ?? 'Default' } },
              roles: [{ id: 'member', name: 'member' }],
              catalog: catalogV3(storageUrl),
            }
          : {}),
      },
    });
  }

  function catalogV2(storageUrl: string) {
    const regions = [{ region: 'RegionOne', url: storageUrl }, ...(options.extraRegions ?? [])];
    return [
      { type: 'identity', name: 'keystone', endpoints: [{ region: 'RegionOne', publicURL: `${base()}/v2.0`, internalURL: `${base()}/v2.0`, adminURL: `${base()}/v2.0` }] },
      { type: 'object-store', name: 'swift', endpoints: regions.map((r) => ({ id: randomUUID(), region: r.region, publicURL: r.url, internalURL: r.url, adminURL: r.url.replace(/\/AUTH_.*$/, '') })) },
    ];
  }

  function catalogV3(storageUrl: string) {
    const regions = [{ region: 'RegionOne', url: storageUrl }, ...(options.extraRegions ?? [])];
    const endpoints = regions.flatMap((r) =>
      (['public', 'internal', 'admin'] as const).map((iface) => ({
        id: randomUUID(), interface: iface, region: r.region, region_id: r.region, url: iface === 'admin' ? r.url.replace(/\/AUTH_.*$/, '') : r.url,
      })),
    );
    return [
      { id: randomUUID(), type: 'identity', name: 'keystone', endpoints: [{ id: randomUUID(), interface: 'public', region: 'RegionOne', region_id: 'RegionOne', url: `${base()}/v3` }] },
      { id: randomUUID(), type: 'object-store', name: 'swift', endpoints },
    ];
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base(),
    v2Url: `${base()}/v2.0`,
    v3Url: `${base()}/v3`,
    issued,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

async function tempauth(account: SwiftAccount): Promise<{ token: string; storageUrl: string }> {
  const response = await fetch(account.authUrl, { headers: { 'X-Auth-User': account.user, 'X-Auth-Key': account.key } });
  await response.arrayBuffer();
  const token = response.headers.get('x-auth-token');
  const storageUrl = response.headers.get('x-storage-url');
  if (!response.ok || !token || !storageUrl) throw new Error(`the identity fake could not get a tempauth token for ${account.user} (HTTP ${response.status})`);
  return { token, storageUrl };
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
