import test from 'ava';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { startOAuthFake, type OAuthFake } from './oauth-fake.js';

const CONFIDENTIAL = { id: 'confidential', secret: 's3cret' };
const PUBLIC = { id: 'public' };
const VERIFIER = 'a-code-verifier-that-is-long-enough-0123456789-abcdefghijk';
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');
const REDIRECT = 'http://127.0.0.1:49152/callback';

async function fake(t: { teardown(fn: () => Promise<void>): void }, options: Partial<Parameters<typeof startOAuthFake>[0]> = {}): Promise<OAuthFake> {
  const f = await startOAuthFake({ clients: [CONFIDENTIAL, PUBLIC], deviceInterval: 1, ...options });
  t.teardown(() => f.close());
  return f;
}

/** What a browser does with the authorization URL: the fake answers with a redirect (or an error page). */
async function authorize(f: OAuthFake, params: Record<string, string>): Promise<Response> {
  const url = new URL(f.endpoints.authorization);
  for (const [k, v] of Object.entries({ response_type: 'code', client_id: PUBLIC.id, redirect_uri: REDIRECT, state: 'st', code_challenge: CHALLENGE, code_challenge_method: 'S256', ...params })) url.searchParams.set(k, v);
  return fetch(url, { redirect: 'manual' });
}

function redirectParams(response: Response): URLSearchParams {
  return new URL(response.headers.get('location')!).searchParams;
}

function tokenRequest(f: OAuthFake, form: Record<string, string>): Promise<Response> {
  return fetch(f.endpoints.token, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
}

async function codeFor(f: OAuthFake, redirect = REDIRECT): Promise<string> {
  return redirectParams(await authorize(f, { redirect_uri: redirect })).get('code')!;
}

async function tokens(f: OAuthFake): Promise<{ access_token: string; refresh_token: string }> {
  const r = await tokenRequest(f, { grant_type: 'authorization_code', code: await codeFor(f), redirect_uri: REDIRECT, client_id: PUBLIC.id, code_verifier: VERIFIER });
  return (await r.json()) as { access_token: string; refresh_token: string };
}

test('RFC 6749 §4.1.2.1: an unknown client or a bad redirect URI gets an error page, never a redirect', async (t) => {
  // "If the request fails due to a missing, invalid, or mismatching redirection URI, or if the client identifier
  // is missing or invalid, the authorization server SHOULD inform the resource owner of the error and MUST NOT
  // automatically redirect the user-agent to the invalid redirection URI."
  const f = await fake(t);
  for (const params of [{ client_id: 'nobody' }, { redirect_uri: 'https://evil.example/cb' }] as Record<string, string>[]) {
    const r = await authorize(f, params);
    t.is(r.status, 400);
    t.is(r.headers.get('location'), null);
  }
});

test('RFC 8252 §7.3: a loopback redirect URI is accepted on any port', async (t) => {
  // "The authorization server MUST allow any port to be specified at the time of the request for loopback IP redirect URIs"
  const f = await fake(t);
  for (const port of [1024, 50000, 65535]) t.truthy(await codeFor(f, `http://127.0.0.1:${port}/callback`));
});

test('RFC 7636 §4.4.1: a public client without code_challenge gets invalid_request', async (t) => {
  // "...the authorization endpoint MUST return the authorization error response with the "error" value set to "invalid_request"."
  const f = await fake(t);
  const r = await authorize(f, { code_challenge: '' });
  t.is(r.status, 302);
  t.is(redirectParams(r).get('error'), 'invalid_request');
  t.is(redirectParams(r).get('state'), 'st');
});

test('scripted consent: deny redirects with access_denied and the state (RFC 6749 §4.1.2.1)', async (t) => {
  // "access_denied: The resource owner or authorization server denied the request."
  const f = await fake(t);
  f.consent = 'deny';
  const params = redirectParams(await authorize(f, {}));
  t.is(params.get('error'), 'access_denied');
  t.is(params.get('state'), 'st');
  t.false(params.has('code'));
});

test('RFC 7636 §4.6: a code_verifier that does not match the challenge gets invalid_grant', async (t) => {
  // "If the values are not equal, an error response indicating "invalid_grant" as described in Section 5.2 of [RFC6749] MUST be returned."
  const f = await fake(t);
  const r = await tokenRequest(f, { grant_type: 'authorization_code', code: await codeFor(f), redirect_uri: REDIRECT, client_id: PUBLIC.id, code_verifier: `${VERIFIER}x` });
  t.is(r.status, 400);
  t.is(((await r.json()) as { error: string }).error, 'invalid_grant');
});

test('RFC 6749 §4.1.2 and §4.1.3: a code works once, with the same redirect_uri; reuse revokes what it gave', async (t) => {
  // "If an authorization code is used more than once, the authorization server MUST deny the request and SHOULD
  // revoke (when possible) all tokens previously issued based on that authorization code."
  const f = await fake(t);
  const code = await codeFor(f);
  const mismatch = await tokenRequest(f, { grant_type: 'authorization_code', code, redirect_uri: 'http://127.0.0.1:1/other', client_id: PUBLIC.id, code_verifier: VERIFIER });
  t.is(((await mismatch.json()) as { error: string }).error, 'invalid_grant');
  const code2 = await codeFor(f);
  const first = await tokenRequest(f, { grant_type: 'authorization_code', code: code2, redirect_uri: REDIRECT, client_id: PUBLIC.id, code_verifier: VERIFIER });
  t.is(first.status, 200);
  // RFC 6749 §5.1: "The authorization server MUST include the HTTP "Cache-Control" response header field with a value of "no-store""
  t.is(first.headers.get('cache-control'), 'no-store');
  const { access_token } = (await first.json()) as { access_token: string };
  const again = await tokenRequest(f, { grant_type: 'authorization_code', code: code2, redirect_uri: REDIRECT, client_id: PUBLIC.id, code_verifier: VERIFIER });
  t.is(((await again.json()) as { error: string }).error, 'invalid_grant');
  t.is((await fetch(f.endpoints.userinfo, { headers: { authorization: `Bearer ${access_token}` } })).status, 401);
});

test('RFC 6749 §5.2: a confidential client with a wrong secret gets 401 invalid_client', async (t) => {
  // "invalid_client: Client authentication failed ... The authorization server MAY return an HTTP 401 (Unauthorized) status code"
  const f = await fake(t);
  const r = await tokenRequest(f, { grant_type: 'refresh_token', refresh_token: 'x', client_id: CONFIDENTIAL.id, client_secret: 'wrong' });
  t.is(r.status, 401);
  t.is(((await r.json()) as { error: string }).error, 'invalid_client');
});

test('RFC 6749 §6: with rotation a refresh gives a new refresh token and the old one stops working', async (t) => {
  // "The authorization server MAY issue a new refresh token, in which case the client MUST discard the old refresh token"
  const f = await fake(t);
  const first = await tokens(f);
  const r1 = await tokenRequest(f, { grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: PUBLIC.id });
  const rotated = (await r1.json()) as { refresh_token: string; access_token: string };
  t.truthy(rotated.refresh_token);
  t.not(rotated.refresh_token, first.refresh_token);
  const reused = await tokenRequest(f, { grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: PUBLIC.id });
  t.is(((await reused.json()) as { error: string }).error, 'invalid_grant');
  t.is(f.stats.refusedRefreshes, 1);
});

test('RFC 6750 §3.1: an expired access token gets 401 with error="invalid_token"', async (t) => {
  // "invalid_token: The access token provided is expired, revoked, malformed, or invalid for other reasons.
  // The resource SHOULD respond with the HTTP 401 (Unauthorized) status code."
  const f = await fake(t, { accessTokenSeconds: 2 });
  const { access_token } = await tokens(f);
  t.is((await fetch(f.endpoints.userinfo, { headers: { authorization: `Bearer ${access_token}` } })).status, 200);
  await sleep(2100);
  const r = await fetch(f.endpoints.userinfo, { headers: { authorization: `Bearer ${access_token}` } });
  t.is(r.status, 401);
  t.regex(r.headers.get('www-authenticate') ?? '', /^Bearer error="invalid_token"/);
});

test('RFC 7009 §2.1/§2.2: revoking a refresh token ends its access tokens; an unknown token still gets 200', async (t) => {
  // §2.2: "The authorization server responds with HTTP status code 200 if the token has been revoked successfully
  // or if the client submitted an invalid token." §2.1: "If the token passed to the request is a refresh token and
  // the authorization server supports the revocation of access tokens, then the authorization server SHOULD also
  // invalidate all access tokens based on the same authorization grant"
  const f = await fake(t);
  const { access_token, refresh_token } = await tokens(f);
  const revoke = (token: string) => fetch(f.endpoints.revocation, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token, client_id: PUBLIC.id }) });
  t.is((await revoke('never-issued')).status, 200);
  t.is((await revoke(refresh_token)).status, 200);
  t.is((await fetch(f.endpoints.userinfo, { headers: { authorization: `Bearer ${access_token}` } })).status, 401);
  const refresh = await tokenRequest(f, { grant_type: 'refresh_token', refresh_token, client_id: PUBLIC.id });
  t.is(((await refresh.json()) as { error: string }).error, 'invalid_grant');
});

test('RFC 8628 §3.5: authorization_pending until approved, slow_down when polling too fast, access_denied when denied', async (t) => {
  // "authorization_pending: The authorization request is still pending as the end user hasn't yet completed the
  // user-interaction steps" ... "access_denied: The authorization request was denied."
  const f = await fake(t);
  const start = async () => (await (await fetch(f.endpoints.device!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ client_id: PUBLIC.id, scope: 'files' }) })).json()) as { device_code: string; user_code: string; interval: number };
  const poll = async (device_code: string) => (await tokenRequest(f, { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code, client_id: PUBLIC.id })).json() as Promise<{ error?: string; access_token?: string }>;
  const device = await start();
  t.is((await poll(device.device_code)).error, 'authorization_pending');
  t.is((await poll(device.device_code)).error, 'slow_down');
  f.decideDevice(device.user_code, 'approve');
  await sleep(device.interval * 1000);
  t.truthy((await poll(device.device_code)).access_token);
  const denied = await start();
  f.decideDevice(denied.user_code, 'deny');
  t.is((await poll(denied.device_code)).error, 'access_denied');
});

test('the storage API checks the bearer token of every upload part', async (t) => {
  const f = await fake(t, { accessTokenSeconds: 2 });
  const { access_token } = await tokens(f);
  const auth = { authorization: `Bearer ${access_token}` };
  const { id } = (await (await fetch(`${f.apiUrl}/uploads`, { method: 'POST', headers: auth, body: JSON.stringify({ path: 'a.bin' }) })).json()) as { id: string };
  t.is((await fetch(`${f.apiUrl}/uploads/${id}/parts/0`, { method: 'PUT', headers: auth, body: 'one' })).status, 200);
  await sleep(2100);
  t.is((await fetch(`${f.apiUrl}/uploads/${id}/parts/1`, { method: 'PUT', headers: auth, body: 'two' })).status, 401);
  t.false(f.objects.has('a.bin'));
});
