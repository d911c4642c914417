import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface OAuthFakeClient {
  readonly id: string;
  /** A confidential client's secret; without one the client is public and must use PKCE. */
  readonly secret?: string;
}

export interface OAuthFakeUser {
  readonly id: string;
  readonly email: string;
}

export interface OAuthFakeOptions {
  readonly clients: readonly OAuthFakeClient[];
  readonly users?: readonly OAuthFakeUser[];
  /** Lifetime of access tokens (default 3600 s; down to 2 s for tests of refresh during long uploads). */
  readonly accessTokenSeconds?: number;
  /** Issue a new refresh token at each refresh and invalidate the old one (default true). */
  readonly rotateRefreshTokens?: boolean;
  /** Offer the device authorization grant (default true). */
  readonly deviceCode?: boolean;
  /** Minimum seconds between device-code polls (default 1). */
  readonly deviceInterval?: number;
}

/** What the fake's "browser consent screen" does with the next authorization requests. */
export type ConsentScript = 'approve' | 'deny';

export interface OAuthFakeStats {
  /** Access tokens issued (code, refresh and device grants). */
  tokensIssued: number;
  refreshes: number;
  /** Refresh requests refused with invalid_grant (a rotated-away or revoked token). */
  refusedRefreshes: number;
  /** API requests refused with 401 (expired, revoked or unknown access token). */
  unauthorized: number;
  /** Upload parts accepted, each with the token it came with. */
  partsAccepted: number;
  revocations: number;
}

export interface StoredObject {
  readonly data: Buffer;
  readonly mtime: number;
  /** The authorization (grant) whose token completed the upload: tells which sign-in a client used. */
  readonly grant: string;
}

export interface OAuthFake {
  readonly url: string;
  readonly endpoints: { readonly authorization: string; readonly token: string; readonly device?: string; readonly revocation: string; readonly userinfo: string };
  /** Base URL of the storage-ish API that requires a bearer token (`/api`). */
  readonly apiUrl: string;
  /** What the consent screen answers; `as` picks the user who signs in (default the first). */
  consent: ConsentScript;
  as: string;
  /** Drives the account holds (`GET /api/drives`); null makes the listing 403, as for an account without that right. */
  drives: string[] | null;
  /** Each upload part waits this long before it is accepted (a slow link), default 0. */
  partDelayMs: number;
  readonly stats: OAuthFakeStats;
  readonly objects: Map<string, StoredObject>;
  /** Approve or deny a pending device code, as the person at the verification page would. */
  decideDevice(userCode: string, decision: ConsentScript): void;
  /** The provider revokes every grant of a user (password change, admin action). */
  revokeUser(userId: string): void;
  /** Every token string the fake has issued (for secret searches). */
  readonly issuedSecrets: () => string[];
  close(): Promise<void>;
}

interface Grant {
  readonly id: string;
  readonly client: string;
  readonly user: string;
  readonly scope: string;
  revoked: boolean;
}

interface PendingCode {
  readonly grant: Grant;
  readonly redirectUri: string;
  readonly challenge?: string;
  readonly expiresAt: number;
  used: boolean;
}

interface DeviceRequest {
  readonly client: string;
  readonly scope: string;
  readonly userCode: string;
  readonly expiresAt: number;
  decision?: ConsentScript;
  user?: string;
  lastPoll: number;
  done: boolean;
}

interface Upload {
  readonly path: string;
  readonly mtime: number;
  readonly parts: Map<number, Buffer>;
}

const token = (prefix: string) => `${prefix}_${randomBytes(18).toString('base64url')}`;

function isLoopbackRedirect(uri: string): boolean {
  try {
    const url = new URL(uri);
    return url.protocol === 'http:' && url.hostname === '127.0.0.1' && !url.hash;
  } catch {
    return false;
  }
}

/**
 * An OAuth 2 authorization server on 127.0.0.1, as strict as a real one: authorization code
 * with PKCE and loopback redirects (RFC 6749 §4.1, RFC 7636, RFC 8252 §7.3), refresh with
 * rotation, device authorization (RFC 8628), revocation (RFC 7009), a userinfo endpoint and a
 * small storage API behind bearer tokens (RFC 6750) whose uploads go in parts, each part
 * checked against its own token. Consent is scripted; the browser step is a plain GET.
 */
export async function startOAuthFake(options: OAuthFakeOptions): Promise<OAuthFake> {
  const users = options.users ?? [{ id: 'u-alice', email: 'alice@example.com' }];
  const lifetime = options.accessTokenSeconds ?? 3600;
  if (lifetime < 2) throw new Error('accessTokenSeconds must be at least 2');
  const rotate = options.rotateRefreshTokens ?? true;
  const deviceInterval = options.deviceInterval ?? 1;
  const codes = new Map<string, PendingCode>();
  const accessTokens = new Map<string, { grant: Grant; expiresAt: number }>();
  const refreshTokens = new Map<string, { grant: Grant; current: boolean }>();
  const devices = new Map<string, DeviceRequest>();
  const uploads = new Map<string, Upload>();
  const objects = new Map<string, StoredObject>();
  const grants: Grant[] = [];
  const stats: OAuthFakeStats = { tokensIssued: 0, refreshes: 0, refusedRefreshes: 0, unauthorized: 0, partsAccepted: 0, revocations: 0 };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) json(res, 500, { error: 'server_error', error_description: String(error) });
      else res.destroy();
    });
  });

  function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    // RFC 6749 §5.1: responses carrying tokens are never cached.
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache', ...headers });
    res.end(JSON.stringify(body));
  }

  /** RFC 6749 §5.2: a refused token request is 400 with an error code (401 for client authentication). */
  function oauthError(res: ServerResponse, error: string, description: string): void {
    json(res, error === 'invalid_client' ? 401 : 400, { error, error_description: description }, error === 'invalid_client' ? { 'www-authenticate': 'Basic realm="fake"' } : {});
  }

  async function readBody(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /** client_secret_basic or client_secret_post (RFC 6749 §2.3.1); public clients send only client_id. */
  function authenticateClient(req: IncomingMessage, form: URLSearchParams): OAuthFakeClient | undefined {
    let id = form.get('client_id') ?? undefined;
    let secret = form.get('client_secret') ?? undefined;
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    if (basic) {
      const [user, pass] = Buffer.from(basic[1]!, 'base64').toString().split(':');
      id = decodeURIComponent(user ?? '');
      secret = decodeURIComponent(pass ?? '');
    }
    const client = options.clients.find((c) => c.id === id);
    if (!client) return undefined;
    if (client.secret !== undefined && client.secret !== secret) return undefined;
    return client;
  }

  function issue(grant: Grant, withRefresh: boolean): Record<string, unknown> {
    const access = token('at');
    accessTokens.set(access, { grant, expiresAt: Date.now() + lifetime * 1000 });
    stats.tokensIssued++;
    const body: Record<string, unknown> = { access_token: access, token_type: 'Bearer', expires_in: lifetime, scope: grant.scope };
    if (withRefresh) {
      const refresh = token('rt');
      refreshTokens.set(refresh, { grant, current: true });
      body.refresh_token = refresh;
    }
    return body;
  }

  function revokeGrant(grant: Grant): void {
    grant.revoked = true;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/authorize') return authorize(url, res);
    if (req.method === 'POST' && url.pathname === '/token') return tokenEndpoint(req, res);
    if (req.method === 'POST' && url.pathname === '/device' && options.deviceCode !== false) return deviceAuthorization(req, res);
    if (req.method === 'POST' && url.pathname === '/revoke') return revoke(req, res);
    if (url.pathname === '/userinfo') return userinfo(req, res);
    if (url.pathname.startsWith('/api/')) return api(req, res, url);
    json(res, 404, { error: 'not_found' });
  }

  /** The consent screen, scripted: approve redirects with a code, deny with access_denied (RFC 6749 §4.1.2.1). */
  function authorize(url: URL, res: ServerResponse): void {
    const q = url.searchParams;
    const client = options.clients.find((c) => c.id === q.get('client_id'));
    const redirectUri = q.get('redirect_uri') ?? '';
    // RFC 6749 §4.1.2.1: "If the request fails due to a missing, invalid, or mismatching redirection
    // URI, or if the client identifier is missing or invalid, the authorization server SHOULD inform
    // the resource owner of the error and MUST NOT automatically redirect the user-agent to the
    // invalid redirection URI." RFC 8252 §7.3: loopback redirects on any port are allowed.
    if (!client || !isLoopbackRedirect(redirectUri)) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end(!client ? 'unknown client_id\n' : 'redirect_uri must be http://127.0.0.1:<port>/...\n');
      return;
    }
    const back = (params: Record<string, string>) => {
      const target = new URL(redirectUri);
      for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
      const state = q.get('state');
      if (state !== null) target.searchParams.set('state', state);
      res.writeHead(302, { location: target.href }).end();
    };
    if (q.get('response_type') !== 'code') return back({ error: 'unsupported_response_type' });
    const challenge = q.get('code_challenge') ?? undefined;
    // RFC 7636 §4.4.1: "If the server requires Proof Key for Code Exchange (PKCE) by OAuth public clients and the
    // client does not send the "code_challenge" in the request, the authorization endpoint MUST return the
    // authorization error response with the "error" value set to "invalid_request"."
    if (client.secret === undefined && !challenge) return back({ error: 'invalid_request', error_description: 'code_challenge required' });
    if (challenge && q.get('code_challenge_method') !== 'S256') return back({ error: 'invalid_request', error_description: 'transform algorithm not supported' });
    if (fake.consent === 'deny') return back({ error: 'access_denied', error_description: 'The user denied access' });
    const user = users.find((u) => u.id === fake.as) ?? users[0]!;
    const grant: Grant = { id: token('g'), client: client.id, user: user.id, scope: q.get('scope') ?? '', revoked: false };
    grants.push(grant);
    const code = token('code');
    codes.set(code, { grant, redirectUri, ...(challenge ? { challenge } : {}), expiresAt: Date.now() + 600_000, used: false });
    back({ code });
  }

  async function tokenEndpoint(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!/^application\/x-www-form-urlencoded/.test(req.headers['content-type'] ?? '')) return oauthError(res, 'invalid_request', 'form body required');
    const form = new URLSearchParams((await readBody(req)).toString());
    const client = authenticateClient(req, form);
    if (!client) return oauthError(res, 'invalid_client', 'client authentication failed');
    const type = form.get('grant_type');
    if (type === 'authorization_code') {
      const pending = codes.get(form.get('code') ?? '');
      if (!pending || pending.grant.client !== client.id || pending.expiresAt < Date.now()) return oauthError(res, 'invalid_grant', 'unknown or expired code');
      // RFC 6749 §4.1.2: "If an authorization code is used more than once, the authorization server
      // MUST deny the request and SHOULD revoke (when possible) all tokens previously issued based on that authorization code."
      if (pending.used) {
        revokeGrant(pending.grant);
        return oauthError(res, 'invalid_grant', 'code already used');
      }
      pending.used = true;
      // RFC 6749 §4.1.3: redirect_uri must be identical to the one of the authorization request.
      if (form.get('redirect_uri') !== pending.redirectUri) return oauthError(res, 'invalid_grant', 'redirect_uri mismatch');
      if (pending.challenge) {
        // RFC 7636 §4.6: BASE64URL(SHA256(code_verifier)) must equal the code_challenge.
        const verifier = form.get('code_verifier') ?? '';
        if (createHash('sha256').update(verifier).digest('base64url') !== pending.challenge) return oauthError(res, 'invalid_grant', 'PKCE verification failed');
      }
      return json(res, 200, issue(pending.grant, true));
    }
    if (type === 'refresh_token') {
      const entry = refreshTokens.get(form.get('refresh_token') ?? '');
      if (!entry || !entry.current || entry.grant.revoked || entry.grant.client !== client.id) {
        stats.refusedRefreshes++;
        return oauthError(res, 'invalid_grant', 'refresh token is invalid, revoked or already used');
      }
      stats.refreshes++;
      // RFC 6749 §6: "The authorization server MAY issue a new refresh token, in which case the
      // client MUST discard the old refresh token." With rotation the old one stops working.
      if (rotate) entry.current = false;
      return json(res, 200, issue(entry.grant, rotate));
    }
    if (type === 'urn:ietf:params:oauth:grant-type:device_code') {
      const device = devices.get(form.get('device_code') ?? '');
      if (!device || device.client !== client.id) return oauthError(res, 'invalid_grant', 'unknown device code');
      if (device.expiresAt < Date.now()) return oauthError(res, 'expired_token', 'the device code expired');
      // RFC 8628 §3.5, slow_down: "the authorization request is still pending and polling should
      // continue, but the interval MUST be increased by 5 seconds for this and all subsequent requests."
      const now = Date.now();
      const early = now - device.lastPoll < deviceInterval * 1000 - 50;
      device.lastPoll = now;
      if (early) return oauthError(res, 'slow_down', 'polling too fast');
      if (device.done) return oauthError(res, 'invalid_grant', 'device code already used');
      if (!device.decision) return oauthError(res, 'authorization_pending', 'waiting for the user');
      if (device.decision === 'deny') return oauthError(res, 'access_denied', 'the user denied access');
      device.done = true;
      const grant: Grant = { id: token('g'), client: client.id, user: device.user ?? users[0]!.id, scope: device.scope, revoked: false };
      grants.push(grant);
      return json(res, 200, issue(grant, true));
    }
    oauthError(res, 'unsupported_grant_type', `grant_type ${type} is not supported`);
  }

  async function deviceAuthorization(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams((await readBody(req)).toString());
    const client = authenticateClient(req, form);
    if (!client) return oauthError(res, 'invalid_client', 'client authentication failed');
    const deviceCode = token('dc');
    const userCode = randomBytes(4).toString('hex').toUpperCase();
    devices.set(deviceCode, { client: client.id, scope: form.get('scope') ?? '', userCode, expiresAt: Date.now() + 600_000, lastPoll: 0, done: false });
    json(res, 200, { device_code: deviceCode, user_code: userCode, verification_uri: `${base}/activate`, verification_uri_complete: `${base}/activate?user_code=${userCode}`, expires_in: 600, interval: deviceInterval });
  }

  /** RFC 7009 §2.2: "invalid tokens do not cause an error response" — always 200 for an authenticated client. */
  async function revoke(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams((await readBody(req)).toString());
    const client = authenticateClient(req, form);
    if (!client) return oauthError(res, 'invalid_client', 'client authentication failed');
    const value = form.get('token') ?? '';
    const grant = refreshTokens.get(value)?.grant ?? accessTokens.get(value)?.grant;
    // RFC 7009 §2.1: revoking a refresh token also invalidates the access tokens of the same grant.
    if (grant && grant.client === client.id) {
      revokeGrant(grant);
      stats.revocations++;
    }
    res.writeHead(200).end();
  }

  /** RFC 6750 §3.1: a missing, expired or revoked token is 401 with error="invalid_token". */
  function bearer(req: IncomingMessage, res: ServerResponse): Grant | undefined {
    const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const entry = match ? accessTokens.get(match[1]!) : undefined;
    if (!entry || entry.expiresAt <= Date.now() || entry.grant.revoked) {
      stats.unauthorized++;
      json(res, 401, { error: 'invalid_token' }, { 'www-authenticate': match ? 'Bearer error="invalid_token", error_description="The access token expired or was revoked"' : 'Bearer' });
      return undefined;
    }
    return entry.grant;
  }

  function userinfo(req: IncomingMessage, res: ServerResponse): void {
    const grant = bearer(req, res);
    if (!grant) return;
    const user = users.find((u) => u.id === grant.user)!;
    json(res, 200, { sub: user.id, email: user.email });
  }

  async function api(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const grant = bearer(req, res);
    if (!grant) {
      req.resume();
      return;
    }
    const rest = decodeURIComponent(url.pathname.slice('/api/'.length));
    if (req.method === 'GET' && rest === 'drives') {
      if (fake.drives === null) return json(res, 403, { error: 'insufficient_scope' });
      return json(res, 200, fake.drives.map((name) => ({ name })));
    }
    if (req.method === 'GET' && rest === 'objects') {
      const prefix = url.searchParams.get('prefix') ?? '';
      return json(res, 200, [...objects].filter(([p]) => p.startsWith(prefix)).map(([path, o]) => ({ path, size: o.data.length, mtime: o.mtime })));
    }
    if (rest.startsWith('objects/')) {
      const path = rest.slice('objects/'.length);
      const object = objects.get(path);
      if (req.method === 'DELETE') {
        objects.delete(path);
        return void res.writeHead(204).end();
      }
      if (!object) return json(res, 404, { error: 'not_found' });
      if (req.method === 'HEAD') return void res.writeHead(200, { 'content-length': object.data.length, 'x-mtime': String(object.mtime) }).end();
      if (req.method === 'GET') return void res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-mtime': String(object.mtime) }).end(object.data);
    }
    if (req.method === 'POST' && rest === 'uploads') {
      const body = JSON.parse((await readBody(req)).toString() || '{}') as { path?: string; mtime?: number };
      if (!body.path) return json(res, 400, { error: 'path required' });
      const id = token('up');
      uploads.set(id, { path: body.path, mtime: body.mtime ?? Date.now(), parts: new Map() });
      return json(res, 201, { id });
    }
    const part = /^uploads\/([^/]+)\/parts\/(\d+)$/.exec(rest);
    if (req.method === 'PUT' && part) {
      const upload = uploads.get(part[1]!);
      if (!upload) return json(res, 404, { error: 'no such upload session' });
      const data = await readBody(req);
      if (fake.partDelayMs) await sleep(fake.partDelayMs);
      upload.parts.set(Number(part[2]), data);
      stats.partsAccepted++;
      return json(res, 200, { size: data.length });
    }
    const complete = /^uploads\/([^/]+)\/complete$/.exec(rest);
    if (req.method === 'POST' && complete) {
      const upload = uploads.get(complete[1]!);
      if (!upload) return json(res, 404, { error: 'no such upload session' });
      const order = [...upload.parts.keys()].sort((a, b) => a - b);
      if (order.some((n, i) => n !== i)) return json(res, 400, { error: 'parts missing' });
      const data = Buffer.concat(order.map((n) => upload.parts.get(n)!));
      objects.set(upload.path, { data, mtime: upload.mtime, grant: grant.id });
      uploads.delete(complete[1]!);
      return json(res, 200, { path: upload.path, size: data.length, mtime: upload.mtime });
    }
    json(res, 404, { error: 'not_found' });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fake: OAuthFake = {
    url: base,
    endpoints: {
      authorization: `${base}/authorize`,
      token: `${base}/token`,
      ...(options.deviceCode !== false ? { device: `${base}/device` } : {}),
      revocation: `${base}/revoke`,
      userinfo: `${base}/userinfo`,
    },
    apiUrl: `${base}/api`,
    consent: 'approve',
    as: users[0]!.id,
    partDelayMs: 0,
    drives: ['My Drive'],
    stats,
    objects,
    decideDevice(userCode, decision) {
      const device = [...devices.values()].find((d) => d.userCode === userCode);
      if (!device) throw new Error(`no pending device code ${userCode}`);
      device.decision = decision;
      device.user = fake.as;
    },
    revokeUser(userId) {
      for (const grant of grants) if (grant.user === userId) revokeGrant(grant);
    },
    issuedSecrets: () => [...accessTokens.keys(), ...refreshTokens.keys()],
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  return fake;
}
