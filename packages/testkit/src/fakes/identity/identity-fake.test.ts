import test, { type ExecutionContext } from 'ava';
import { setTimeout as delay } from 'node:timers/promises';
import { ensureSwiftServer } from '../../servers/swift/index.js';
import { startIdentityFake, type IdentityFake } from './identity-fake.js';

async function fake(t: ExecutionContext, tokenLifetimeSeconds?: number): Promise<IdentityFake> {
  const swift = await ensureSwiftServer();
  const identity = await startIdentityFake({
    users: [{ name: 'dana', id: 'u-dana', password: 'dana-pw', project: { name: 'archive', id: 'p-archive' }, swift: { authUrl: swift.authUrl, user: swift.user, key: swift.key } }],
    ...(tokenLifetimeSeconds !== undefined ? { tokenLifetimeSeconds } : {}),
  });
  t.teardown(() => identity.close());
  return identity;
}

async function v2Tokens(identity: IdentityFake, body: string): Promise<{ status: number; json: any }> {
  const response = await fetch(`${identity.v2Url}/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: response.status, json: await response.json() };
}

const PASSWORD_AUTH = JSON.stringify({ auth: { passwordCredentials: { username: 'dana', password: 'dana-pw' }, tenantName: 'archive' } });

function objectStoreUrl(access: any): string {
  return access.serviceCatalog.find((s: any) => s.type === 'object-store').endpoints[0].publicURL;
}

test('POST /v2.0/tokens with a malformed body or a missing field answers 400 with Keystone\'s ValidationError body', async (t) => {
  // Identity API v2.0, POST /v2.0/tokens: "Error response codes: identityFault (400, 500),
  // userDisabled (403), badRequest (400), unauthorized (401), [...]". Keystone raises
  // ValidationError for these: "Expecting to find %(attribute)s in %(target)s. The server could
  // not comply with the request since it is either malformed or otherwise incorrect. The client
  // is assumed to be in error." (code 400, title "Bad Request"), rendered as {"error": {...}}.
  const identity = await fake(t);
  const cases: [string, string][] = [
    ['{"auth": {"passwordCredentials": {"username": "dana", ', 'valid JSON in request body'],
    ['["auth"]', 'valid JSON object in request body'],
    ['{}', 'auth in request body'],
    ['{"auth": {"tenantName": "archive"}}', 'passwordCredentials in auth'],
    ['{"auth": {"passwordCredentials": {"username": "dana"}}}', 'password in passwordCredentials'],
    ['{"auth": {"passwordCredentials": {"password": "dana-pw"}}}', 'username or userId in passwordCredentials'],
  ];
  for (const [body, missing] of cases) {
    const { status, json } = await v2Tokens(identity, body);
    t.is(status, 400, body);
    t.is(json.error.code, 400);
    t.is(json.error.title, 'Bad Request');
    t.is(json.error.message, `Expecting to find ${missing}. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.`);
  }
  t.is(identity.issued.v2, 0, 'no token for a bad request');
  const wrong = await v2Tokens(identity, JSON.stringify({ auth: { passwordCredentials: { userId: 'u-dana', password: 'nope' } } }));
  t.is(wrong.status, 401, 'well formed but wrong credentials stay 401');
});

test('tokens expire when `access.token.expires` says; the object store then answers 401 until a new token is used', async (t) => {
  // Identity API v2.0: "If the authentication token has expired, a 401 response code is
  // returned. [...] The Identity API treats expired tokens as invalid tokens." OpenStack API
  // quick start: "Continue to send API requests with that token until the service completes the
  // request or the Unauthorized (401) error occurs. If the Unauthorized (401) error occurs,
  // request another token."
  const identity = await fake(t, 2);
  const { status, json } = await v2Tokens(identity, PASSWORD_AUTH);
  t.is(status, 200);
  const token = json.access.token;
  const expires = Date.parse(token.expires);
  t.regex(token.expires, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'stated to the second, as Keystone v2 does');
  t.true(expires - Date.parse(token.issued_at) <= 2000, 'the lifetime asked for');
  const storage = objectStoreUrl(json.access);
  t.true(storage.startsWith(identity.url), 'the catalog points at the fake\'s front to the real Swift');

  const account = await fetch(storage, { method: 'HEAD', headers: { 'x-auth-token': token.id } });
  t.is(account.status, 204, 'a live token reaches the real Swift account');
  t.truthy(account.headers.get('x-account-object-count'));

  while (Date.now() <= expires) await delay(100);
  const expired = await fetch(storage, { headers: { 'x-auth-token': token.id } });
  t.is(expired.status, 401);
  t.regex(await expired.text(), /Unauthorized/);
  t.is(identity.refusedRequests, 1);

  const renewed = await v2Tokens(identity, PASSWORD_AUTH);
  t.not(renewed.json.access.token.id, token.id, 'each token has an id of its own');
  t.is((await fetch(objectStoreUrl(renewed.json.access), { method: 'HEAD', headers: { 'x-auth-token': renewed.json.access.token.id } })).status, 204);
  t.is((await fetch(storage, { method: 'HEAD', headers: { 'x-auth-token': 'never-issued' } })).status, 401, 'an unknown token is refused too');
});

test('expireToken, expireAllTokens and setTokenLifetime act on demand; v3 tokens follow the same lifetime', async (t) => {
  const identity = await fake(t);
  const first = await v2Tokens(identity, PASSWORD_AUTH);
  t.true(Date.parse(first.json.access.token.expires) - Date.now() > 3000_000, 'an hour by default');
  t.true(identity.expireToken(first.json.access.token.id));
  t.false(identity.expireToken('never-issued'));
  t.is((await fetch(objectStoreUrl(first.json.access), { method: 'HEAD', headers: { 'x-auth-token': first.json.access.token.id } })).status, 401);
  const second = await v2Tokens(identity, PASSWORD_AUTH);
  const third = await v2Tokens(identity, PASSWORD_AUTH);
  t.is(identity.expireAllTokens(), 2, 'the two still valid');
  for (const { json } of [second, third]) {
    t.is((await fetch(objectStoreUrl(json.access), { method: 'HEAD', headers: { 'x-auth-token': json.access.token.id } })).status, 401);
  }

  identity.setTokenLifetime(5);
  const v3 = await fetch(identity.v3Url + '/auth/tokens', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: 'dana', domain: { name: 'Default' }, password: 'dana-pw' } } }, scope: { project: { id: 'p-archive' } } } }),
  });
  t.is(v3.status, 201);
  const body: any = await v3.json();
  const lifetime = Date.parse(body.token.expires_at) - Date.parse(body.token.issued_at);
  t.true(lifetime <= 5000 && lifetime > 3000, `about 5 s (${lifetime} ms)`);
});
