import test from 'ava';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { startB2Fake, type B2Fake, type B2FakeOptions } from './b2-fake.js';

// Each test quotes the B2 documentation of the rule it checks; the same quote is next to the rule in the fake.

const sha1 = (data: string | Buffer) => createHash('sha1').update(data).digest('hex');

interface Session {
  fake: B2Fake;
  token: string;
  apiUrl: string;
  accountId: string;
  storageApi: Record<string, unknown>;
}

async function session(t: import('ava').ExecutionContext, options: B2FakeOptions = {}): Promise<Session & { bucketId: string }> {
  const fake = await startB2Fake({ buckets: ['strict-bucket', 'other-bucket'], ...options });
  t.teardown(() => fake.close());
  const res = await fetch(`${fake.url}/b2api/v3/b2_authorize_account`, {
    headers: { Authorization: `Basic ${Buffer.from(`${fake.keyId}:${fake.applicationKey}`).toString('base64')}` },
  });
  const json = (await res.json()) as any;
  const s = { fake, token: json.authorizationToken, apiUrl: json.apiInfo.storageApi.apiUrl, accountId: json.accountId, storageApi: json.apiInfo.storageApi };
  return { ...s, bucketId: fake.store.bucketByName('strict-bucket')!.bucketId };
}

async function call(s: Session, name: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(`${s.apiUrl}/b2api/v3/${name}`, { method: 'POST', headers: { Authorization: s.token, 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

/** Resolves once the fake has started handling an upload (it counts a call when it starts). */
async function receiving(fake: B2Fake): Promise<void> {
  while (fake.callCount('b2_upload_file') === 0) await new Promise((resolve) => setImmediate(resolve));
}

type Target = { uploadUrl: string; authorizationToken: string };

async function upload(target: Target, name: string, content: string, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(target.uploadUrl, {
    method: 'POST',
    headers: { Authorization: target.authorizationToken, 'X-Bz-File-Name': encodeURIComponent(name), 'Content-Type': 'b2/x-auto', 'X-Bz-Content-Sha1': sha1(content), ...headers },
    body: content,
  });
  return { status: res.status, json: await res.json() };
}

async function uploadPart(target: Target, partNumber: number, content: Buffer): Promise<{ status: number; json: any }> {
  const res = await fetch(target.uploadUrl, {
    method: 'POST',
    headers: { Authorization: target.authorizationToken, 'X-Bz-Part-Number': String(partNumber), 'X-Bz-Content-Sha1': sha1(content) },
    body: new Uint8Array(content),
  });
  return { status: res.status, json: await res.json() };
}

test('one upload at a time per upload URL: a second upload while the first is still being sent is refused 400 auth_token_limit', async (t) => {
  // Integration checklist: "When initializing upload threads, call b2_get_upload_url or
  // b2_get_upload_part_url for each thread. The returned upload URL / upload authorization token
  // should be used in this thread to upload files"; b2sdk: "more than one upload using auth token".
  const s = await session(t);
  const { json: target } = await call(s, 'b2_get_upload_url', { bucketId: s.bucketId });
  const content = 'first upload, sent slowly';
  const url = new URL(target.uploadUrl);
  const first = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { Authorization: target.authorizationToken, 'X-Bz-File-Name': 'first.txt', 'Content-Type': 'b2/x-auto', 'X-Bz-Content-Sha1': sha1(content), 'Content-Length': Buffer.byteLength(content) },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.write(content.slice(0, 5));
    // The second upload runs once the fake is receiving the first, which has sent only part of its body.
    receiving(s.fake)
      .then(() => upload(target, 'second.txt', 'second'))
      .then((second) => {
        t.is(second.status, 400);
        t.is(second.json.code, 'auth_token_limit');
        req.end(content.slice(5));
      })
      .catch(reject);
  });
  t.is((await first).status, 200, 'the upload that held the URL completes');
  t.is((await upload(target, 'third.txt', 'third')).status, 200, 'once it is done, the URL takes the next upload');
  t.is(s.fake.errorCount('auth_token_limit'), 1);
});

test('an upload URL is dead after it answered 5xx or 408, or its connection broke: the next upload on it is refused', async (t) => {
  // Integration checklist: "if one of the following conditions occur, the developer should call
  // b2_get_upload_url or b2_get_upload_part_url and re-attempt the upload using the new URL and auth
  // key pair: ... The HTTPS connection is broken ... The HTTP response status is 408 (Request
  // Timeout). The HTTP response status is between 500-599". b2_get_upload_url: "An uploadUrl and
  // upload authorizationToken are valid for 24 hours or until the endpoint rejects an upload".
  const s = await session(t);
  for (const status of [503, 500, 408]) {
    const { json: target } = await call(s, 'b2_get_upload_url', { bucketId: s.bucketId });
    s.fake.injectFailures({ count: 1, status, calls: ['b2_upload_file'] });
    t.is((await upload(target, 'a.txt', 'a')).status, status);
    const again = await upload(target, 'a.txt', 'a');
    t.is(again.status, 401, `after ${status}`);
    t.is(again.json.code, 'bad_auth_token');
  }
  const { json: target } = await call(s, 'b2_get_upload_url', { bucketId: s.bucketId });
  s.fake.loseAnswers({ count: 1, calls: ['b2_upload_file'] });
  await t.throwsAsync(upload(target, 'b.txt', 'b'));
  t.is((await upload(target, 'b.txt', 'b')).status, 401, 'after a broken connection');
  // Parts: the same rule for b2_get_upload_part_url's URLs.
  const { json: large } = await call(s, 'b2_start_large_file', { bucketId: s.bucketId, fileName: 'big', contentType: 'b2/x-auto' });
  const { json: partTarget } = await call(s, 'b2_get_upload_part_url', { fileId: large.fileId });
  s.fake.injectFailures({ count: 1, status: 503, calls: ['b2_upload_part'] });
  t.is((await uploadPart(partTarget, 1, Buffer.alloc(10))).status, 503);
  t.like((await uploadPart(partTarget, 1, Buffer.alloc(10))).json, { status: 401, code: 'bad_auth_token' });
});

test('b2_finish_large_file: at least 2 parts, 400 missing_part for a part never uploaded, 400 part_sha1_mismatch for a wrong SHA-1', async (t) => {
  // Large files guide: "Large files can range from 5MB all the way up to 10TB" and "the minimum part
  // size is 5MB, except for the last part". b2_finish_large_file "will return an error if there is
  // no active upload with the given file ID, or if any of the parts of the file have not been
  // uploaded"; b2sdk's exception.py maps 400 missing_part and 400 part_sha1_mismatch.
  const s = await session(t, { absoluteMinimumPartSize: 10 });
  const { json: large } = await call(s, 'b2_start_large_file', { bucketId: s.bucketId, fileName: 'big', contentType: 'b2/x-auto' });
  const { json: target } = await call(s, 'b2_get_upload_part_url', { fileId: large.fileId });
  const parts = [Buffer.from('0123456789ab'), Buffer.from('tail')];
  t.is((await uploadPart(target, 1, parts[0]!)).status, 200);
  t.like((await call(s, 'b2_finish_large_file', { fileId: large.fileId, partSha1Array: [sha1(parts[0]!)] })).json, { status: 400, code: 'bad_request' });
  t.like((await call(s, 'b2_finish_large_file', { fileId: large.fileId, partSha1Array: parts.map(sha1) })).json, { status: 400, code: 'missing_part' });
  t.is((await uploadPart(target, 2, parts[1]!)).status, 200);
  t.like((await call(s, 'b2_finish_large_file', { fileId: large.fileId, partSha1Array: [sha1(parts[0]!), sha1('other')] })).json, { status: 400, code: 'part_sha1_mismatch' });
  t.like((await call(s, 'b2_finish_large_file', { fileId: large.fileId, partSha1Array: parts.map(sha1) })).json, { action: 'upload', contentLength: 16 });
});

test('X-Bz-Test-Mode: fail_some_uploads fails some uploads with 503; force_cap_exceeded refuses uploads 403 cap_exceeded', async (t) => {
  // Integration checklist: "To test your code, add a X-Bz-Test-Mode: fail_some_uploads header to
  // the b2_upload_file API call. This will cause intermittent artificial failures, allowing you to
  // test the resiliency of your code." force_cap_exceeded: "This will cause a cap limit failure".
  const s = await session(t);
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) {
    const { json: target } = await call(s, 'b2_get_upload_url', { bucketId: s.bucketId });
    statuses.push((await upload(target, `f${i}.txt`, `content ${i}`, { 'X-Bz-Test-Mode': 'fail_some_uploads' })).status);
  }
  t.deepEqual(statuses, [200, 200, 503, 200, 200, 503], 'intermittent: every third upload fails');
  t.is(s.fake.store.versions.get(s.bucketId)!.length, 4, 'a failed test-mode upload stores nothing');
  const refused = await call(s, 'b2_get_upload_url', { bucketId: s.bucketId }, { 'X-Bz-Test-Mode': 'force_cap_exceeded' });
  t.like(refused, { status: 403, json: { code: 'cap_exceeded' } });
});

test('a storage cap: an upload that would pass it is refused 403 cap_exceeded', async (t) => {
  // Uploading guide, other errors: "403 Forbidden cap_exceeded - you have reached the storage cap that you set".
  const s = await session(t, { storageCapBytes: 10 });
  const { json: target } = await call(s, 'b2_get_upload_url', { bucketId: s.bucketId });
  t.is((await upload(target, 'a.txt', '123456')).status, 200);
  t.like(await upload(target, 'b.txt', '123456'), { status: 403, json: { code: 'cap_exceeded' } });
});

test('a restricted application key: its bucket, prefix and capabilities are in the authorize answer, and calls outside them are refused 401 unauthorized', async (t) => {
  // b2_authorize_account: application keys "can be limited to a specific bucket, a bucket with a
  // specific file prefix, or all buckets with a specific file prefix, have limited read/write
  // access". Every call: "After calling b2_authorize_account with an application key that does not
  // have the right permissions, this call will return a 401 Unauthorized." b2_list_buckets: "When
  // using an authorization token that is restricted to a bucket, you must include the bucketId or
  // bucketName of that bucket in the request, or the request will be denied."
  const s = await session(t, { key: { bucketName: 'strict-bucket', namePrefix: 'mine/', capabilities: ['listBuckets', 'listFiles', 'readFiles', 'writeFiles'] } });
  t.like(s.storageApi, { bucketId: s.bucketId, bucketName: 'strict-bucket', namePrefix: 'mine/', capabilities: ['listBuckets', 'listFiles', 'readFiles', 'writeFiles'] });
  const otherId = s.fake.store.bucketByName('other-bucket')!.bucketId;
  const unauthorized = { status: 401, json: { code: 'unauthorized' } };
  t.like(await call(s, 'b2_list_buckets', { accountId: s.accountId }), unauthorized, 'list_buckets must name the bucket');
  t.like(await call(s, 'b2_list_buckets', { accountId: s.accountId, bucketName: 'strict-bucket' }), { status: 200 });
  t.like(await call(s, 'b2_get_upload_url', { bucketId: otherId }), unauthorized, 'another bucket');
  t.like(await call(s, 'b2_list_file_names', { bucketId: s.bucketId }), unauthorized, 'a listing outside the prefix');
  t.like(await call(s, 'b2_list_file_names', { bucketId: s.bucketId, prefix: 'mine/' }), { status: 200 });
  t.like(await call(s, 'b2_start_large_file', { bucketId: s.bucketId, fileName: 'theirs/x', contentType: 'b2/x-auto' }), unauthorized, 'a name outside the prefix');
  const { json: target } = await call(s, 'b2_get_upload_url', { bucketId: s.bucketId });
  t.like(await upload(target, 'theirs/a.txt', 'a'), unauthorized);
  const { json: target2 } = await call(s, 'b2_get_upload_url', { bucketId: s.bucketId });
  const ok = await upload(target2, 'mine/a.txt', 'a');
  t.is(ok.status, 200);
  t.like(await call(s, 'b2_delete_file_version', { fileName: 'mine/a.txt', fileId: ok.json.fileId }), unauthorized, 'no deleteFiles capability');
  t.like(await call(s, 'b2_create_bucket', { accountId: s.accountId, bucketName: 'new-bucket', bucketType: 'allPrivate' }), unauthorized, 'no writeBuckets capability');
});

test('the lost-answer fault stores first: an upload and a finish are committed although the client saw a reset or a 500', async (t) => {
  // b2_finish_large_file: "It may be that the call to finish a large file succeeds, but you don't
  // know it because the request timed out, or the connection was broken. In that case, retrying
  // will result in a 400 Bad Request response because the file is already finished. If that
  // happens, we recommend calling b2_get_file_info to see if the file is there."
  const s = await session(t, { absoluteMinimumPartSize: 1 });
  s.fake.loseAnswers({ count: 1, calls: ['b2_upload_file'] });
  const { json: target } = await call(s, 'b2_get_upload_url', { bucketId: s.bucketId });
  await t.throwsAsync(upload(target, 'a.txt', 'a'));
  t.is(s.fake.versionsOf('strict-bucket', 'a.txt').length, 1, 'stored although the answer was lost');

  const { json: large } = await call(s, 'b2_start_large_file', { bucketId: s.bucketId, fileName: 'big', contentType: 'b2/x-auto' });
  const { json: partTarget } = await call(s, 'b2_get_upload_part_url', { fileId: large.fileId });
  const parts = [Buffer.from('one'), Buffer.from('two')];
  for (const [i, part] of parts.entries()) t.is((await uploadPart(partTarget, i + 1, part)).status, 200);
  s.fake.loseAnswers({ count: 1, calls: ['b2_finish_large_file'], mode: 'error-500' });
  t.like(await call(s, 'b2_finish_large_file', { fileId: large.fileId, partSha1Array: parts.map(sha1) }), { status: 500 });
  t.like(await call(s, 'b2_finish_large_file', { fileId: large.fileId, partSha1Array: parts.map(sha1) }), { status: 400 }, 'a retried finish: 400, already finished');
  t.like(await call(s, 'b2_get_file_info', { fileId: large.fileId }), { status: 200, json: { action: 'upload', contentLength: 6 } });
  t.is(s.fake.lostAnswers, 2);
});

test('X-Bz-Test-Mode: expire_some_account_authorization_tokens expires the account token on some calls: 401 expired_auth_token, then refused for good', async (t) => {
  // B2's test modes: "X-Bz-Test-Mode: expire_some_account_authorization_tokens" on calls made with
  // an account authorization token. Expired tokens answer 401 expired_auth_token.
  const s = await session(t);
  const header = { 'X-Bz-Test-Mode': 'expire_some_account_authorization_tokens' };
  const statuses: number[] = [];
  for (let i = 0; i < 3; i++) statuses.push((await call(s, 'b2_list_file_names', { bucketId: s.bucketId }, header)).status);
  t.deepEqual(statuses, [200, 200, 401]);
  t.like(await call(s, 'b2_list_file_names', { bucketId: s.bucketId }), { status: 401, json: { code: 'expired_auth_token' } }, 'the token stays expired');
});
