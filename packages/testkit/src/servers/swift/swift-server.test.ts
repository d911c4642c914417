import test from 'ava';
import { createHmac, randomUUID } from 'node:crypto';
import { ensureSwiftServer } from './ensure-swift-server.js';
import { revokeSwiftToken } from './revoke-swift-token.js';

async function tempauth(authUrl: string, user: string, key: string) {
  const response = await fetch(authUrl, { headers: { 'X-Auth-User': user, 'X-Auth-Key': key } });
  await response.arrayBuffer();
  return { token: response.headers.get('x-auth-token')!, storageUrl: response.headers.get('x-storage-url')! };
}

test('serves the native Swift API with tempauth', async (t) => {
  const server = await ensureSwiftServer();
  const { token, storageUrl } = await tempauth(server.authUrl, server.user, server.key);
  t.truthy(token);
  t.is(storageUrl, server.storageUrl);
  const container = `testkit-${randomUUID()}`;
  const headers = { 'X-Auth-Token': token };
  t.is((await fetch(`${storageUrl}/${container}`, { method: 'PUT', headers })).status, 201);
  const put = await fetch(`${storageUrl}/${container}/a%20b.txt`, {
    method: 'PUT', headers: { ...headers, 'X-Object-Meta-Color': 'blue' }, body: 'hello',
  });
  t.is(put.status, 201);
  const get = await fetch(`${storageUrl}/${container}/a%20b.txt`, { headers });
  t.is(await get.text(), 'hello');
  t.is(get.headers.get('x-object-meta-color'), 'blue');
  await fetch(`${storageUrl}/${container}/a%20b.txt`, { method: 'DELETE', headers });
  t.is((await fetch(`${storageUrl}/${container}`, { method: 'DELETE', headers })).status, 204);
});

test('a second call reuses the running server', async (t) => {
  const first = await ensureSwiftServer();
  const started = Date.now();
  t.deepEqual(await ensureSwiftServer(), first);
  t.true(Date.now() - started < 1_000);
});

test('serves S3 through s3api: a bad signature is an S3 error, a good one lists buckets', async (t) => {
  const server = await ensureSwiftServer();
  const date = new Date().toUTCString();
  const badAuth = await fetch(`${server.s3Endpoint}/`, {
    headers: { Date: date, Authorization: `AWS ${server.s3AccessKeyId}:bm90LWEtc2lnbmF0dXJl` },
  });
  t.is(badAuth.status, 403);
  const body = await badAuth.text();
  t.regex(body, /<Error>\s*<Code>(SignatureDoesNotMatch|AccessDenied)<\/Code>/);

  // AWS signature version 2, which s3api accepts: no SDK needed for a smoke test.
  const signature = createHmac('sha1', server.s3SecretAccessKey).update(`GET\n\n\n${date}\n/`).digest('base64');
  const listed = await fetch(`${server.s3Endpoint}/`, {
    headers: { Date: date, Authorization: `AWS ${server.s3AccessKeyId}:${signature}` },
  });
  t.is(listed.status, 200);
  t.regex(await listed.text(), /<ListAllMyBucketsResult/);
});

test('revokeSwiftToken makes a token answer 401, and a new one is issued', async (t) => {
  const server = await ensureSwiftServer();
  const { SWIFT_SPARE_USER: spare } = await import('./index.js');
  const first = await tempauth(server.authUrl, `${spare.account}:${spare.user}`, spare.key);
  t.true((await fetch(first.storageUrl, { method: 'HEAD', headers: { 'X-Auth-Token': first.token } })).ok);
  t.true(await revokeSwiftToken(first.token));
  t.is((await fetch(first.storageUrl, { method: 'HEAD', headers: { 'X-Auth-Token': first.token } })).status, 401);
  const second = await tempauth(server.authUrl, `${spare.account}:${spare.user}`, spare.key);
  t.not(second.token, first.token);
  t.true((await fetch(second.storageUrl, { method: 'HEAD', headers: { 'X-Auth-Token': second.token } })).ok);
});
