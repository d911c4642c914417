import { isProviderError, MemoryLogger, type StorageProvider } from '@nimbus/kernel';
import { startS3GlacierProxy, type S3GlacierProxy } from '@nimbus/testkit';
import test, { type ExecutionContext } from 'ava';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { connectS3 } from './connect.js';
import { S3Provider } from './s3-provider.js';
import { createTestBucket, deleteTestBucket, emptyPrefix, ensureSwiftServer, rawClient, swiftConfig, testContext } from './test-support/swift-s3.js';

const DAY = 86_400_000;
const server = await ensureSwiftServer();
const admin = rawClient(server);
const bucket = await createTestBucket(admin, 'glacier');

interface Setup {
  provider: S3Provider;
  proxy: S3GlacierProxy;
  clock: { now: number };
  /** Key of a relative path. */
  key(path: string): string;
}

/** The plugin as for Amazon (s3Compatible off: Glacier on), talking to Swift through the Glacier proxy. */
async function setup(t: ExecutionContext, extra: Record<string, unknown> = {}, logger = new MemoryLogger()): Promise<Setup> {
  const clock = { now: Date.now() };
  const proxy = await startS3GlacierProxy({ target: server.s3Endpoint, now: () => clock.now });
  const prefix = `g-${randomUUID()}`;
  const provider = await connectS3(swiftConfig(server, bucket, { prefix, endpoint: proxy.endpoint, s3Compatible: false, ...extra }), testContext(logger));
  t.teardown(async () => {
    await provider.close();
    await proxy.close();
    await emptyPrefix(admin, bucket, `${prefix}/`);
  });
  return { provider, proxy, clock, key: (path) => `${prefix}/${path}` };
}

const write = (p: StorageProvider, path: string, text: string) => p.write(path, Readable.from([Buffer.from(text)]), { size: Buffer.byteLength(text) });
const readText = async (p: StorageProvider, path: string) => {
  const chunks: Buffer[] = [];
  for await (const chunk of await p.read(path)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
};
const listed = async (p: StorageProvider) => {
  const out = [];
  for await (const page of p.list('', { recursive: true })) out.push(...page);
  return out;
};

test('Glacier is offered for Amazon S3: archive tiers, temporary copies, retrieval priorities', async (t) => {
  const { provider } = await setup(t);
  t.deepEqual(provider.capabilities.archive.archiveTiers, ['GLACIER', 'DEEP_ARCHIVE']);
  t.is(provider.capabilities.archive.restore, 'temporary-copy');
  t.deepEqual(provider.capabilities.archive.restorePriorities, ['Expedited', 'Standard', 'Bulk']);
});

test('an archived object: stat and list say archived, read rejects with archived, setMetadata too', async (t) => {
  const s = await setup(t);
  await write(s.provider, 'photos/cold.jpg', 'frozen bytes');
  await write(s.provider, 'photos/warm.jpg', 'online bytes');
  s.proxy.archive(bucket, s.key('photos/cold.jpg'), 'DEEP_ARCHIVE');
  t.like(await s.provider.stat('photos/cold.jpg'), { size: 12, archive: { status: 'archived', tier: 'DEEP_ARCHIVE' } });
  t.is((await s.provider.stat('photos/warm.jpg'))?.archive, undefined, 'online objects carry no archive state');
  const entries = await listed(s.provider);
  t.like(entries.find((e) => e.path === 'photos/cold.jpg'), { archive: { status: 'archived', tier: 'DEEP_ARCHIVE' } });
  const error = await t.throwsAsync(s.provider.read('photos/cold.jpg'));
  t.true(isProviderError(error, 'archived'), String(error));
  t.true(isProviderError(await t.throwsAsync(s.provider.setMetadata('photos/cold.jpg', { a: 'b' })), 'archived'));
  t.is(await readText(s.provider, 'photos/warm.jpg'), 'online bytes');
});

test('requestRestore: restoring, asked once only; restored with its expiry, readable; expired, archived again', async (t) => {
  const s = await setup(t);
  await write(s.provider, 'cold.txt', 'frozen');
  s.proxy.archive(bucket, s.key('cold.txt'));
  t.deepEqual(await s.provider.requestRestore('cold.txt', { days: 2, priority: 'Bulk' }), { status: 'restoring', tier: 'GLACIER' });
  t.deepEqual(await s.provider.requestRestore('cold.txt', { days: 2, priority: 'Bulk' }), { status: 'restoring', tier: 'GLACIER' }, 'a running restore is not asked for again');
  t.deepEqual(s.proxy.restoreRequests.map((r) => [r.days, r.tier, r.status]), [[2, 'Bulk', 202]]);
  t.like(await s.provider.stat('cold.txt'), { archive: { status: 'restoring', tier: 'GLACIER' } });
  t.like((await listed(s.provider))[0], { path: 'cold.txt', archive: { status: 'restoring' } }, 'listings carry the restore status');
  t.true(isProviderError(await t.throwsAsync(s.provider.read('cold.txt')), 'archived'), 'not readable while restoring');

  s.proxy.completeRestore(bucket, s.key('cold.txt'));
  const expiresAt = Math.ceil((s.clock.now + 2 * DAY) / DAY) * DAY; // midnight UTC after the days asked
  t.deepEqual((await s.provider.stat('cold.txt'))?.archive, { status: 'restored', tier: 'GLACIER', expiresAt });
  t.like((await listed(s.provider))[0], { archive: { status: 'restored', tier: 'GLACIER' } });
  t.is(await readText(s.provider, 'cold.txt'), 'frozen');
  t.deepEqual(await s.provider.requestRestore('cold.txt', {}), { status: 'restored', tier: 'GLACIER', expiresAt }, 'a ready copy is used, not requested again');

  s.clock.now += 3 * DAY;
  t.like(await s.provider.stat('cold.txt'), { archive: { status: 'archived', tier: 'GLACIER' } }, 'the temporary copy expired');
  t.true(isProviderError(await t.throwsAsync(s.provider.read('cold.txt')), 'archived'));
  t.deepEqual(await s.provider.requestRestore('cold.txt', {}), { status: 'restoring', tier: 'GLACIER' }, 'an expired copy is requested again');
  t.deepEqual(s.proxy.restoreRequests.at(-1), { bucket, key: s.key('cold.txt'), days: 7, tier: 'Standard', status: 202 }, 'days and tier default to the settings');
});

test('restore days and tier come from the settings', async (t) => {
  const s = await setup(t, { restoreDays: 12, restoreTier: 'Expedited' });
  await write(s.provider, 'cold.txt', 'frozen');
  s.proxy.archive(bucket, s.key('cold.txt'));
  await s.provider.requestRestore('cold.txt', {});
  t.like(s.proxy.restoreRequests[0], { days: 12, tier: 'Expedited' });
  t.true(isProviderError(await t.throwsAsync(s.provider.requestRestore('cold.txt', { priority: 'Whenever' })), 'invalid'));
});

test('requestRestore of an online object reports it online and asks nothing; of a missing one, not-found', async (t) => {
  const s = await setup(t);
  await write(s.provider, 'warm.txt', 'online');
  t.deepEqual(await s.provider.requestRestore('warm.txt', {}), { status: 'online' });
  t.true(isProviderError(await t.throwsAsync(s.provider.requestRestore('missing.txt', {})), 'not-found'));
  t.deepEqual(s.proxy.restoreRequests, []);
});

test('an S3-compatible service offers no Glacier: requestRestore is not supported', async (t) => {
  const s = await setup(t, { s3Compatible: true });
  t.is(s.provider.capabilities.archive.restore, 'none');
  t.deepEqual(s.provider.capabilities.archive.tiers, ['STANDARD']);
});

test('storageClass GLACIER / DEEP_ARCHIVE: single and multipart uploads are stored in the class and reported archived', async (t) => {
  const s = await setup(t, { storageClass: 'GLACIER', multipartThreshold: 5 * 1024 * 1024 });
  const written = await write(s.provider, 'small.txt', 'frozen at once');
  t.deepEqual(written.archive, { status: 'archived', tier: 'GLACIER' });
  const big = Buffer.alloc(6 * 1024 * 1024, 7);
  await s.provider.write('big.bin', Readable.from([big]), { size: big.length });
  t.deepEqual([s.proxy.storageClassOf(bucket, s.key('small.txt')), s.proxy.storageClassOf(bucket, s.key('big.bin'))], ['GLACIER', 'GLACIER']);
  t.like(await s.provider.stat('big.bin'), { size: big.length, archive: { status: 'archived', tier: 'GLACIER' } });
  t.true(isProviderError(await t.throwsAsync(s.provider.read('small.txt')), 'archived'));
  await s.provider.write('deep.txt', Readable.from([Buffer.from('deeper')]), { size: 6, tier: 'DEEP_ARCHIVE' });
  t.like(await s.provider.stat('deep.txt'), { archive: { status: 'archived', tier: 'DEEP_ARCHIVE' } });
});

test('copy and setMetadata of an archived object are refused as archived; once restored, both work and the result stays in its class', async (t) => {
  const s = await setup(t, { storageClass: 'GLACIER' });
  await write(s.provider, 'cold.txt', 'frozen');
  t.true(isProviderError(await t.throwsAsync(s.provider.copy!('cold.txt', 'copy.txt')), 'archived'));
  t.true(isProviderError(await t.throwsAsync(s.provider.setMetadata!('cold.txt', { a: 'b' })), 'archived'));
  await s.provider.requestRestore('cold.txt', { days: 1 });
  s.proxy.completeRestore(bucket, s.key('cold.txt'));
  await s.provider.copy!('cold.txt', 'copy.txt');
  await s.provider.setMetadata!('cold.txt', { a: 'b' });
  t.like(await s.provider.stat('cold.txt'), { metadata: { a: 'b' }, archive: { status: 'archived', tier: 'GLACIER' } });
  t.like(await s.provider.stat('copy.txt'), { archive: { status: 'archived', tier: 'GLACIER' } });
});

test('Expedited is not asked of DEEP_ARCHIVE: Standard is requested instead, and the log says so', async (t) => {
  const logger = new MemoryLogger();
  const s = await setup(t, { restoreTier: 'Expedited' }, logger);
  await write(s.provider, 'deep.txt', 'deeper');
  s.proxy.archive(bucket, s.key('deep.txt'), 'DEEP_ARCHIVE');
  t.deepEqual(await s.provider.requestRestore('deep.txt', {}), { status: 'restoring', tier: 'DEEP_ARCHIVE' });
  t.deepEqual(s.proxy.restoreRequests.map((r) => [r.days, r.tier, r.status]), [[7, 'Standard', 202]]);
  t.true(logger.lines.some((l) => l.level === 'warn' && /deep\.txt: Expedited retrieval is not offered for DEEP_ARCHIVE; a Standard restore was requested instead/.test(l.message)));
});

test('GlacierExpeditedRetrievalNotAvailable (503): the restore is asked again at Standard, and the log says so', async (t) => {
  const logger = new MemoryLogger();
  const s = await setup(t, { restoreTier: 'Expedited' }, logger);
  await write(s.provider, 'cold.txt', 'frozen');
  s.proxy.archive(bucket, s.key('cold.txt'));
  s.proxy.expeditedUnavailable = true;
  t.deepEqual(await s.provider.requestRestore('cold.txt', {}), { status: 'restoring', tier: 'GLACIER' });
  t.deepEqual(s.proxy.restoreRequests.map((r) => [r.tier, r.status]), [['Expedited', 503], ['Standard', 202]]);
  t.true(logger.lines.some((l) => l.level === 'warn' && /cold\.txt: Expedited retrieval is unavailable right now \(no capacity\); a Standard restore was requested instead/.test(l.message)));
});

test('Intelligent-Tiering archive tiers: detected from HEAD, restored without Days, online again once moved back', async (t) => {
  const s = await setup(t, { storageClass: 'INTELLIGENT_TIERING', restoreTier: 'Expedited' });
  const written = await write(s.provider, 'it.txt', 'tiered');
  t.is(written.archive, undefined, 'online when stored');
  t.is(await readText(s.provider, 'it.txt'), 'tiered');
  s.proxy.tierDown(bucket, s.key('it.txt'), 'ARCHIVE_ACCESS');
  t.like(await s.provider.stat('it.txt'), { archive: { status: 'archived', tier: 'INTELLIGENT_TIERING' } });
  t.true(isProviderError(await t.throwsAsync(s.provider.read('it.txt')), 'archived'));
  t.deepEqual(await s.provider.requestRestore('it.txt', {}), { status: 'restoring', tier: 'INTELLIGENT_TIERING' });
  t.deepEqual(s.proxy.restoreRequests.map((r) => [r.days, r.tier, r.status]), [[undefined, 'Expedited', 202]], 'no Days; Expedited is offered from Archive Access');
  t.like(await s.provider.stat('it.txt'), { archive: { status: 'restoring' } });
  s.proxy.completeRestore(bucket, s.key('it.txt'));
  t.is((await s.provider.stat('it.txt'))?.archive, undefined, 'back in Frequent Access: online');
  t.is(await readText(s.provider, 'it.txt'), 'tiered');

  s.proxy.tierDown(bucket, s.key('it.txt'), 'DEEP_ARCHIVE_ACCESS');
  await s.provider.requestRestore('it.txt', {});
  t.deepEqual(s.proxy.restoreRequests.at(-1), { bucket, key: s.key('it.txt'), days: undefined, tier: 'Standard', status: 202 }, 'no Expedited from Deep Archive Access');
});

test.after.always(async () => {
  await deleteTestBucket(admin, bucket);
  admin.destroy();
});
