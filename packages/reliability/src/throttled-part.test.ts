import { makeTempDir, startFaultInjectionProxy, treeDigest, type RequestFacts } from '@nimbus/testkit';
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inProcessBackup } from './support/in-process.js';
import { azuriteTarget, swiftS3Target, type ServerTarget } from './support/targets.js';

const MiB = 1024 * 1024;
const RETRY_AFTER_SECONDS = 1;
const TRANSFERS = 2;
const SMALL_FILES = 150;

const isUploadPart = (r: RequestFacts) => r.method === 'PUT' && /[?&]partNumber=/.test(r.url);
const partNumber = (r: RequestFacts) => Number(/[?&]partNumber=(\d+)/.exec(r.url)![1]);
const isStageBlock = (r: RequestFacts) => r.method === 'PUT' && /[?&]comp=block(&|$)/.test(r.url);
const blockId = (r: RequestFacts) => new URL(r.url, 'http://x').searchParams.get('blockid')!;
const isCommitBlockList = (r: RequestFacts) => r.method === 'PUT' && /[?&]comp=blocklist(&|$)/.test(r.url);
const isCreateMultipart = (r: RequestFacts) => r.method === 'POST' && /[?&]uploads(=|&|$)/.test(r.url);
const isCompleteMultipart = (r: RequestFacts) => r.method === 'POST' && /[?&]uploadId=/.test(r.url);

/**
 * A backup of one 20 MiB file (in `parts` parts) next to
 * small files that the other transfer uploads meanwhile, through a proxy that answers one
 * request of the multipart upload 429 SlowDown with Retry-After, as S3 does.
 */
async function backupThrough(
  t: import('ava').ExecutionContext,
  name: string,
  makeTarget: (name: string) => Promise<ServerTarget>,
  parts: number,
  throttled: (r: RequestFacts) => boolean,
  settings: Record<string, unknown> = {},
) {
  const target = await makeTarget(name);
  t.teardown(() => target.cleanup());
  const dir = await makeTempDir(`nimbus-${name}-`);
  t.teardown(dir.cleanup);
  const source = join(dir.path, 'source');
  await mkdir(source, { recursive: true });
  await writeFile(join(source, 'a-big.bin'), randomBytes(20 * MiB));
  for (let i = 0; i < SMALL_FILES; i++) await writeFile(join(source, `b-${String(i).padStart(3, '0')}.txt`), randomBytes(512));
  const proxy = await startFaultInjectionProxy({ target: target.upstream, seed: name, dialect: target.dialect, retryAfterSeconds: RETRY_AFTER_SECONDS });
  t.teardown(proxy.close);
  const rule = proxy.alwaysFail(throttled, 'throttle-429', 1);

  const backup = inProcessBackup({ dir: dir.path, source, destination: { ...target.destination(proxy.endpoint), ...settings }, transfers: TRANSFERS });
  const report = await backup.run();
  t.deepEqual(report.failures, []);
  t.is(report.exitCode, 0);
  t.is(report.counts.uploaded, SMALL_FILES + 1);
  t.is(rule.hits, 1, 'the request was throttled');
  t.deepEqual(await target.objects(), await treeDigest(source), 'every object is there, byte for byte');
  t.deepEqual(await target.leftovers(), [], 'no multipart upload left behind');

  const seen = proxy.seen;

  // The whole connection waited out the Retry-After: only requests already on their way when
  // the 429 came (the file's other part, one per other transfer) reached the server before it
  // had passed; before parts were paced, the other transfer's uploads went on meanwhile.
  const throttle = proxy.injected.find((f) => f.kind === 'throttle-429')!;
  const early = seen.filter((r) => r.at > throttle.at && r.at < throttle.at + RETRY_AFTER_SECONDS * 1000);
  t.true(early.length <= parts - 1 + (TRANSFERS - 1), `within ${RETRY_AFTER_SECONDS} s of the 429: ${early.map((r) => `${r.method} ${r.path}`).join(', ')}`);
  return seen;
}

test('swift-s3: a 429 SlowDown on one UploadPart pauses the whole run for its Retry-After, and that part alone is sent again: the multipart upload goes on', async (t) => {
  // Two parts of 16 + 4 MiB (the S3 plugin's part size).
  const seen = await backupThrough(t, 'slowpart', swiftS3Target, 2, (r) => isUploadPart(r) && partNumber(r) === 1);
  t.is(seen.filter(isCreateMultipart).length, 1, 'one CreateMultipartUpload: the upload was not started again');
  t.deepEqual(seen.filter(isUploadPart).map(partNumber).sort(), [1, 1, 2], 'only the throttled part was sent again');
  t.is(seen.filter(isCompleteMultipart).length, 1);
});

test('swift-s3: a 429 SlowDown on CompleteMultipartUpload is waited out and the commit sent again, without sending the parts again', async (t) => {
  const seen = await backupThrough(t, 'slowcommit', swiftS3Target, 2, isCompleteMultipart);
  t.is(seen.filter(isCreateMultipart).length, 1, 'one CreateMultipartUpload: the upload was not started again');
  t.deepEqual(seen.filter(isUploadPart).map(partNumber).sort(), [1, 2], 'each part sent once');
  t.is(seen.filter(isCompleteMultipart).length, 2, 'the commit, then its retry');
});

test('azurite: a 429 on one Put Block pauses the whole run for its Retry-After, and that block alone is staged again', async (t) => {
  // Three blocks of 8 MiB; the second answered 429 (Azure says ServerBusy on a busy account).
  const seen = await backupThrough(t, 'slowblock', azuriteTarget, 3, (r) => isStageBlock(r) && Buffer.from(blockId(r), 'base64').toString().endsWith('-000001'), { blockSize: 8 * MiB });
  const staged = seen.filter(isStageBlock).map(blockId);
  t.is(new Set(staged).size, 3, 'three blocks, all of one upload (their ids carry its id): not started again');
  t.is(staged.length, 4, 'only the throttled block was staged again');
  t.is(seen.filter(isCommitBlockList).length, 1);
});
