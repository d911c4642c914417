import test from 'ava';
import { createHash } from 'node:crypto';
import { startB2Fake, type B2Fake } from './b2-fake.js';

const sha1 = (data: string) => createHash('sha1').update(data).digest('hex');

async function authorize(fake: B2Fake): Promise<{ token: string; apiUrl: string; downloadUrl: string; accountId: string }> {
  const res = await fetch(`${fake.url}/b2api/v3/b2_authorize_account`, {
    headers: { Authorization: `Basic ${Buffer.from(`${fake.keyId}:${fake.applicationKey}`).toString('base64')}` },
  });
  const json = (await res.json()) as any;
  return { token: json.authorizationToken, apiUrl: json.apiInfo.storageApi.apiUrl, downloadUrl: json.apiInfo.storageApi.downloadUrl, accountId: json.accountId };
}

async function call(apiUrl: string, token: string, name: string, body: unknown): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(`${apiUrl}/b2api/v3/${name}`, { method: 'POST', headers: { Authorization: token, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json(), headers: res.headers };
}

async function upload(fake: B2Fake, auth: { token: string; apiUrl: string }, bucketId: string, name: string, content: string, sha = sha1(content)) {
  const { json: target } = await call(auth.apiUrl, auth.token, 'b2_get_upload_url', { bucketId });
  const res = await fetch(target.uploadUrl, {
    method: 'POST',
    headers: { Authorization: target.authorizationToken, 'X-Bz-File-Name': encodeURIComponent(name), 'Content-Type': 'b2/x-auto', 'X-Bz-Content-Sha1': sha, 'X-Bz-Info-src_last_modified_millis': '1234' },
    body: content,
  });
  return { status: res.status, json: (await res.json()) as any };
}

test('the fake speaks B2: authorize, buckets, uploads with SHA-1, versions, hide markers, downloads, errors', async (t) => {
  const fake = await startB2Fake({ buckets: ['fake-test-bucket'] });
  t.teardown(() => fake.close());
  const bad = await fetch(`${fake.url}/b2api/v3/b2_authorize_account`, { headers: { Authorization: `Basic ${Buffer.from('x:y').toString('base64')}` } });
  t.is(bad.status, 401);
  t.like(await bad.json(), { status: 401, code: 'unauthorized' });

  const auth = await authorize(fake);
  const { json: listed } = await call(auth.apiUrl, auth.token, 'b2_list_buckets', { accountId: auth.accountId, bucketName: 'FAKE-test-bucket' });
  t.is(listed.buckets.length, 1, 'bucket names are case-insensitive');
  const bucketId = listed.buckets[0].bucketId;

  const mismatch = await upload(fake, auth, bucketId, 'a b/c.txt', 'hello', sha1('other'));
  t.is(mismatch.status, 400);
  t.is(mismatch.json.code, 'bad_request');
  const first = await upload(fake, auth, bucketId, 'a b/c.txt', 'hello');
  t.is(first.status, 200);
  t.like(first.json, { action: 'upload', fileName: 'a b/c.txt', contentLength: 5, contentSha1: sha1('hello'), fileInfo: { src_last_modified_millis: '1234' } });
  await upload(fake, auth, bucketId, 'a b/c.txt', 'hello again');

  const names = await call(auth.apiUrl, auth.token, 'b2_list_file_names', { bucketId, delimiter: '/' });
  t.deepEqual(names.json.files.map((f: any) => [f.action, f.fileName]), [['folder', 'a b/']]);
  const download = await fetch(`${auth.downloadUrl}/file/fake-test-bucket/a%20b/c.txt`, { headers: { Authorization: auth.token, Range: 'bytes=6-' } });
  t.is(download.status, 206);
  t.is(await download.text(), 'again');
  t.is(download.headers.get('x-bz-info-src_last_modified_millis'), '1234');

  const hidden = await call(auth.apiUrl, auth.token, 'b2_hide_file', { bucketId, fileName: 'a b/c.txt' });
  t.like(hidden.json, { action: 'hide', contentType: 'application/x-bz-hide-marker' });
  t.like((await call(auth.apiUrl, auth.token, 'b2_hide_file', { bucketId, fileName: 'a b/c.txt' })).json, { status: 400, code: 'already_hidden' });
  t.deepEqual((await call(auth.apiUrl, auth.token, 'b2_list_file_names', { bucketId })).json.files, []);
  const versions = await call(auth.apiUrl, auth.token, 'b2_list_file_versions', { bucketId, prefix: 'a b/' });
  t.deepEqual(versions.json.files.map((f: any) => f.action), ['hide', 'upload', 'upload'], 'newest first');
  const gone = await fetch(`${auth.downloadUrl}/file/fake-test-bucket/a%20b/c.txt`, { headers: { Authorization: auth.token } });
  t.is(gone.status, 404);
  t.like(await gone.json(), { code: 'not_found' });

  fake.injectFailures({ count: 1, status: 429, retryAfterSeconds: 3 });
  const throttled = await call(auth.apiUrl, auth.token, 'b2_list_file_names', { bucketId });
  t.is(throttled.status, 429);
  t.is(throttled.headers.get('retry-after'), '3');
  t.like(throttled.json, { status: 429, code: 'too_many_requests' });

  fake.expireAuthTokens();
  t.like((await call(auth.apiUrl, auth.token, 'b2_list_file_names', { bucketId })).json, { status: 401, code: 'expired_auth_token' });
  t.is(fake.callCount('b2_upload_file'), 3);
});

test('the fake enforces large-file rules and the bucket rules', async (t) => {
  const fake = await startB2Fake({ absoluteMinimumPartSize: 10 });
  t.teardown(() => fake.close());
  const auth = await authorize(fake);
  const create = (bucketName: string) => call(auth.apiUrl, auth.token, 'b2_create_bucket', { accountId: auth.accountId, bucketName, bucketType: 'allPrivate' });
  t.like((await create('b2-reserved')).json, { status: 400, code: 'bad_request' });
  t.like((await create('short')).json, { status: 400 });
  const { json: bucket } = await create('large-files');
  t.like((await create('LARGE-FILES')).json, { code: 'duplicate_bucket_name' });

  const { json: started } = await call(auth.apiUrl, auth.token, 'b2_start_large_file', { bucketId: bucket.bucketId, fileName: 'big', contentType: 'b2/x-auto', fileInfo: {} });
  const parts = ['0123456789ab', 'tail'];
  for (const [i, part] of parts.entries()) {
    const { json: target } = await call(auth.apiUrl, auth.token, 'b2_get_upload_part_url', { fileId: started.fileId });
    const res = await fetch(target.uploadUrl, { method: 'POST', headers: { Authorization: target.authorizationToken, 'X-Bz-Part-Number': String(i + 1), 'X-Bz-Content-Sha1': sha1(part) }, body: part });
    t.is(res.status, 200);
  }
  // b2_list_parts: "Lists the parts that have been uploaded for a large file that has not been finished
  // yet" ... "maxPartCount ... the maximum allowed is 1000" ... "nextPartNumber: What to pass in to
  // startPartNumber for the next search to continue where this one left off, or null".
  const listed = await call(auth.apiUrl, auth.token, 'b2_list_parts', { fileId: started.fileId, maxPartCount: 1 });
  t.like(listed.json, { parts: [{ partNumber: 1, contentLength: 12, contentSha1: sha1(parts[0]!) }], nextPartNumber: 2 });
  t.like((await call(auth.apiUrl, auth.token, 'b2_list_parts', { fileId: started.fileId, startPartNumber: 2 })).json, { parts: [{ partNumber: 2, contentLength: 4 }], nextPartNumber: null });
  t.like((await call(auth.apiUrl, auth.token, 'b2_list_parts', { fileId: started.fileId, maxPartCount: 1001 })).json, { status: 400, code: 'out_of_range' });
  t.like((await call(auth.apiUrl, auth.token, 'b2_list_parts', { fileId: 'no-such-file' })).json, { status: 400, code: 'bad_request' });
  const unfinished = await call(auth.apiUrl, auth.token, 'b2_list_unfinished_large_files', { bucketId: bucket.bucketId });
  t.is(unfinished.json.files.length, 1);
  t.like((await call(auth.apiUrl, auth.token, 'b2_finish_large_file', { fileId: started.fileId, partSha1Array: [sha1('wrong'), sha1('tail')] })).json, { status: 400 });
  const { json: finished } = await call(auth.apiUrl, auth.token, 'b2_finish_large_file', { fileId: started.fileId, partSha1Array: parts.map(sha1) });
  t.like(finished, { action: 'upload', contentLength: 16, contentSha1: 'none' });
  t.is(await (await fetch(`${auth.downloadUrl}/file/large-files/big`, { headers: { Authorization: auth.token } })).text(), parts.join(''));

  for (let i = 2; i <= 100; i++) await create(`bucket-${String(i).padStart(3, '0')}`);
  t.like((await create('one-too-many')).json, { status: 400, code: 'too_many_buckets' });
});
