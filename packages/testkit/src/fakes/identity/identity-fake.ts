import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { sendIdentityError, sendJson as send, sendUnauthorized, sendValidationError } from './identity-errors.js';
import { IdentityTokens } from './identity-tokens.js';
import { FRONT_PREFIX, ObjectStoreFront } from './object-store-front.js';

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
  /** Lifetime of the tokens issued, in seconds (default 3600, Keystone's default); `setTokenLifetime` changes it later. */
  readonly tokenLifetimeSeconds?: number;
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
  /** Tokens issued from now on live this long (seconds; expiries are whole seconds, as Keystone v2 states them). */
  setTokenLifetime(seconds: number): void;
  /** Make an issued token expire at once; false when the fake never issued it. */
  expireToken(token: string): boolean;
  /**
   * Make every token issued so far expire at once, as when Keystone revokes them ("A token can
   * also become invalid for other reasons", OpenStack API quick start); resolves how many were valid.
   */
  expireAllTokens(): number;
  /** Object-store requests answered 401 because their token had expired or was unknown. */
  readonly refusedRequests: number;
  close(): Promise<void>;
}

/**
 * A wire-level fake of the OpenStack Identity token endpoints (v2.0 `POST /v2.0/tokens`,
 * v3 `POST /v3/auth/tokens` with the password and application_credential methods), for
 * plugins that must speak Identity v2/v3 while the only object store running is a Swift
 * with tempauth. The catalog's object-store endpoint is the fake's own front to the user's
 * real Swift account: each token the fake issues stands for a real tempauth token and
 * expires when the fake says (`access.token.expires`, `expires_at`; short on demand), after
 * which the front answers 401 as Swift does. Refused credentials get 401, a malformed body
 * or a missing field 400 with Keystone's error body.
 */
export async function startIdentityFake(options: IdentityFakeOptions): Promise<IdentityFake> {
  const issued = { v2: 0, v3: 0 };
  const requests: { path: string; body: unknown }[] = [];
  const tokens = new IdentityTokens(options.tokenLifetimeSeconds ?? 3600);
  const front = new ObjectStoreFront(tokens);
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith(FRONT_PREFIX)) return front.handle(req, res);
    handle(req, res).catch((error) => sendIdentityError(res, 500, 'Internal Server Error', String(error)));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0]!.replace(/\/+$/, '');
    const text = await readAll(req);
    let body: any;
    // Keystone's JSON body middleware: a body that does not parse, or is not an object, is a ValidationError.
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      return sendValidationError(res, 'valid JSON', 'request body');
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return sendValidationError(res, 'valid JSON object', 'request body');
    requests.push({ path, body });
    if (req.method === 'POST' && path === '/v2.0/tokens') return v2Token(body, res);
    if (req.method === 'POST' && path === '/v3/auth/tokens') return v3Token(body, res);
    if (req.method === 'GET' && (path === '/v3' || path === '/v2.0')) return send(res, 200, { version: { id: path.slice(1), status: 'stable' } });
    sendIdentityError(res, 404, 'Not Found', `The resource could not be found: ${path}`);
  }

  /** Issue a token standing for the user's tempauth token; resolves its id, expiry and the fronted storage URL. */
  async function issue(user: IdentityUser): Promise<{ id: string; expiresAt: number; storageUrl: string }> {
    const { token, storageUrl } = await tempauth(user.swift);
    const { id, expiresAt } = tokens.issue(token);
    return { id, expiresAt, storageUrl: front.urlFor(base(), storageUrl) };
  }

  async function v2Token(body: any, res: ServerResponse): Promise<void> {
    // The checks Keystone's v2 token controller makes before looking at the credentials.
    const auth = body.auth;
    if (auth === null || typeof auth !== 'object' || Array.isArray(auth)) return sendValidationError(res, 'auth', 'request body');
    const creds = auth.passwordCredentials;
    if (creds === null || typeof creds !== 'object' || Array.isArray(creds)) return sendValidationError(res, 'passwordCredentials', 'auth');
    if (typeof creds.password !== 'string') return sendValidationError(res, 'password', 'passwordCredentials');
    if (typeof creds.username !== 'string' && typeof creds.userId !== 'string') return sendValidationError(res, 'username or userId', 'passwordCredentials');
    const user = options.users.find((u) => (creds.userId !== undefined ? (u.id ?? u.name) === creds.userId : u.name === creds.username) && u.password === creds.password);
    const tenantName = auth.tenantName;
    const tenantId = auth.tenantId;
    if (!user || (tenantName !== undefined && tenantName !== user.project.name) || (tenantId !== undefined && tenantId !== user.project.id)) {
      return sendUnauthorized(res);
    }
    const { id, expiresAt, storageUrl } = await issue(user);
    issued.v2++;
    const scoped = tenantName !== undefined || tenantId !== undefined;
    send(res, 200, {
      access: {
        token: { id, expires: new Date(expiresAt).toISOString().replace(/\.\d+Z$/, 'Z'), issued_at: new Date().toISOString(), ...(scoped ? { tenant: { id: user.project.id, name: user.project.name, enabled: true } } : {}) },
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
      if (body?.auth?.scope) return sendUnauthorized(res, 'Application credentials cannot request a scope.');
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
    if (!user) return sendUnauthorized(res);
    const { id, expiresAt, storageUrl } = await issue(user);
    issued.v3++;
    const now = new Date();
    send(res, 201, {
      token: {
        methods,
        expires_at: new Date(expiresAt).toISOString(),
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
    }, { 'X-Subject-Token': id });
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
    setTokenLifetime: (seconds) => void (tokens.lifetimeMs = seconds * 1000),
    expireToken: (token) => tokens.expire(token),
    expireAllTokens: () => tokens.expireAll(),
    get refusedRequests() {
      return front.refused;
    },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
      front.close();
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
