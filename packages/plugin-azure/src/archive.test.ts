import { isProviderError, type StorageProvider } from '@nimbus/kernel';
import { startAzureArchiveProxy, treeDigest, writeTree, type AzureArchiveProxy } from '@nimbus/testkit';
import test, { type ExecutionContext } from 'ava';
import { rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { connectWith, freshContainer, testAccount } from './test-support/azurite-account.js';
import { kernelRuns } from './test-support/kernel-runs.js';

const body = (text: string) => Readable.from([Buffer.from(text)]);

async function readText(provider: StorageProvider, path: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await provider.read(path)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

/** A fresh container reached through the rehydration proxy (Shared Key requests forwarded as they are). */
async function throughProxy(t: ExecutionContext, settings: Record<string, unknown> = {}) {
  const { server } = await testAccount();
  const container = await freshContainer('archive');
  t.teardown(container.cleanup);
  const proxy = await startAzureArchiveProxy({ target: server });
  t.teardown(() => proxy.close());
  const provider = await connectWith({ container: container.name, serviceUrl: proxy.blobEndpoint, ...settings });
  return { container, proxy, provider };
}

async function listedArchive(provider: StorageProvider, path: string) {
  for await (const page of provider.list('', { recursive: true })) {
    const entry = page.find((e) => e.path === path);
    if (entry) return entry.archive;
  }
  return undefined;
}

test('archived → requestRestore → rehydration pending → rehydrated and readable', async (t) => {
  const { container, proxy, provider } = await throughProxy(t);
  const written = await provider.write('cold.txt', body('frozen'), { size: 6, tier: 'Archive' });
  t.deepEqual(written.archive, { status: 'archived', tier: 'Archive' });
  t.deepEqual((await provider.stat('cold.txt'))?.archive, { status: 'archived', tier: 'Archive' });
  t.deepEqual(await listedArchive(provider, 'cold.txt'), { status: 'archived', tier: 'Archive' });
  const archived = await t.throwsAsync(provider.read('cold.txt'));
  t.true(isProviderError(archived, 'archived'), String(archived));
  t.regex(archived!.message, /"cold\.txt" is in the Archive tier and must be rehydrated/);

  const state = await provider.requestRestore!('cold.txt', { priority: 'High' });
  t.deepEqual(state, { status: 'restoring', tier: 'Archive' });
  t.like(proxy.tierRequests.at(-1), { blob: 'cold.txt', tier: 'Hot', priority: 'High', held: true });
  t.deepEqual((await provider.stat('cold.txt'))?.archive, { status: 'restoring', tier: 'Archive' });
  t.deepEqual(await listedArchive(provider, 'cold.txt'), { status: 'restoring', tier: 'Archive' });
  t.true(isProviderError(await t.throwsAsync(provider.read('cold.txt')), 'archived'), 'still unreadable while pending');

  // Asking again changes nothing while the rehydration runs (High is already asked).
  const requests = proxy.tierRequests.length;
  t.deepEqual(await provider.requestRestore!('cold.txt', { priority: 'High' }), { status: 'restoring', tier: 'Archive' });
  t.is(proxy.tierRequests.length, requests);

  await proxy.completeRehydration(container.name, 'cold.txt');
  t.deepEqual((await provider.stat('cold.txt'))?.archive, { status: 'online', tier: 'Hot' });
  t.is(await readText(provider, 'cold.txt'), 'frozen');
});

test('rehydration to Cool with the configured priority; a pending Standard one can be sped up to High', async (t) => {
  const { container, proxy, provider } = await throughProxy(t, { rehydratePriority: 'High' });
  await provider.write('a.txt', body('a'), { size: 1, tier: 'Archive' });
  t.deepEqual(await provider.requestRestore!('a.txt', { targetTier: 'Cool' }), { status: 'restoring', tier: 'Archive' });
  t.like(proxy.tierRequests.at(-1), { tier: 'Cool', priority: 'High', held: true });
  t.deepEqual(proxy.pendingOf(container.name, 'a.txt'), { targetTier: 'Cool', priority: 'High' });
  await proxy.completeRehydration(container.name, 'a.txt');
  t.deepEqual((await provider.stat('a.txt'))?.archive, { status: 'online', tier: 'Cool' });

  await provider.write('b.txt', body('b'), { size: 1, tier: 'Archive' });
  await provider.requestRestore!('b.txt', { priority: 'Standard' });
  t.deepEqual(proxy.pendingOf(container.name, 'b.txt'), { targetTier: 'Hot', priority: 'Standard' });
  await provider.requestRestore!('b.txt', { priority: 'High' });
  t.deepEqual(proxy.pendingOf(container.name, 'b.txt'), { targetTier: 'Hot', priority: 'High' }, 'sped up, same target');
});

test('requestRestore leaves an online blob alone and refuses unknown tiers and priorities', async (t) => {
  const { proxy, provider } = await throughProxy(t, { accessTier: 'Cool' });
  const entry = await provider.write('warm.txt', body('w'), { size: 1 });
  t.deepEqual(entry.archive, { status: 'online', tier: 'Cool' }, 'uploads take the configured tier');
  t.deepEqual(await provider.requestRestore!('warm.txt', {}), { status: 'online', tier: 'Cool' });
  t.is(proxy.tierRequests.length, 0, 'no tier change for an online blob');
  t.true(isProviderError(await t.throwsAsync(provider.requestRestore!('warm.txt', { targetTier: 'Archive' })), 'invalid'));
  t.true(isProviderError(await t.throwsAsync(provider.requestRestore!('warm.txt', { priority: 'Bulk' })), 'invalid'));
  t.true(isProviderError(await t.throwsAsync(provider.write('x.txt', body('x'), { size: 1, tier: 'Glacier' })), 'invalid'));
  t.true(isProviderError(await t.throwsAsync(provider.requestRestore!('missing.txt', {})), 'not-found'));
});

test('straight on Azurite (no proxy) a rehydration completes at once and requestRestore says so', async (t) => {
  const container = await freshContainer('archive-direct');
  t.teardown(container.cleanup);
  const provider = await connectWith({ container: container.name });
  await provider.write('x.txt', body('x'), { size: 1, tier: 'Archive' });
  t.deepEqual(await provider.requestRestore!('x.txt', {}), { status: 'online', tier: 'Hot' });
  t.is(await readText(provider, 'x.txt'), 'x');
});

test('through the kernel, three runs: restore requested and logged, still pending, then read', async (t) => {
  const { container, proxy } = await throughProxy(t);
  const runs = await kernelRuns(t, {
    accountName: (await testAccount()).server.accountName,
    accountKey: (await testAccount()).server.accountKey,
    serviceUrl: proxy.blobEndpoint,
    container: container.name,
    prefix: 'backup',
    accessTier: 'Archive',
    rehydratePriority: 'High',
  });
  await writeTree(runs.source, { 'a.txt': 'alpha', 'docs/b.txt': 'beta', 'docs/empty.txt': '' });
  const backup = await runs.backup();
  t.is(backup.counts.uploaded, 3);
  const target = join(runs.source, '..', 'restored');

  const first = await runs.restore(target);
  t.is(first.counts.pendingArchive, 3, 'every file is archived: three rehydrations requested');
  t.is(first.exitCode, 1);
  t.is(proxy.tierRequests.length, 3);
  t.true(proxy.tierRequests.every((r) => r.tier === 'Hot' && r.priority === 'High' && r.held));
  t.true(runs.logger.lines.some((l) => /docs\/b\.txt is in archive storage \(Archive\).*restore requested/.test(l.message)));

  const second = await runs.restore(target);
  t.is(second.counts.pendingArchive, 3, 'still rehydrating');
  t.is(proxy.tierRequests.length, 3, 'no second request while one is pending');

  t.is(await proxy.completeAll(), 3);
  const third = await runs.restore(target);
  t.is(third.counts.restored, 3);
  t.is(third.exitCode, 0);
  t.deepEqual(await treeDigest(target), await treeDigest(runs.source));
});

test('copy and move of an archived or rehydrating blob are refused at once and start nothing; the blob stays where it was', async (t) => {
  // Azure copies an archived blob only into an online tier, pending for hours while the copy
  // rehydrates, and the source must not change until then (see archive-proxy-rules.test.ts).
  // With an online tier configured the plugin used to start such a copy and wait for it.
  const { container, proxy, provider } = await throughProxy(t, { accessTier: 'Hot' });
  await provider.write('cold.txt', body('frozen'), { size: 6, tier: 'Archive' });
  for (const attempt of [() => provider.copy!('cold.txt', '$SBV$/cold.txt/1'), () => provider.move!('cold.txt', '$SBV$/cold.txt/2')]) {
    const error = await t.throwsAsync(attempt());
    t.true(isProviderError(error, 'archived'), String(error));
    t.regex(error!.message, /"cold\.txt" is in the Archive tier: Azure copies it only by rehydrating the copy/);
  }
  t.is(proxy.pendingOf(container.name, '$SBV$/cold.txt/1'), undefined, 'no rehydrating copy was started');
  t.is(await provider.stat('$SBV$/cold.txt/1'), undefined);
  t.is(await provider.stat('$SBV$/cold.txt/2'), undefined);
  t.deepEqual((await provider.stat('cold.txt'))?.archive, { status: 'archived', tier: 'Archive' }, 'the move did not delete the source');

  await provider.requestRestore!('cold.txt', {});
  t.true(isProviderError(await t.throwsAsync(provider.move!('cold.txt', 'elsewhere.txt')), 'archived'), 'rehydrating is still archived');
  await proxy.completeRehydration(container.name, 'cold.txt');
  const moved = await provider.move!('cold.txt', 'elsewhere.txt');
  t.deepEqual(moved.archive, { status: 'online', tier: 'Hot' });
  t.is(await readText(provider, 'elsewhere.txt'), 'frozen');
  t.is(await provider.stat('cold.txt'), undefined, 'once online, a move is copy then delete');
});

test('through the kernel: an mtime-only change of an archived file goes to the database only; its delete waits for the rehydration that keeps it as a version', async (t) => {
  const { container, proxy } = await throughProxy(t);
  const { server } = await testAccount();
  const runs = await kernelRuns(t, {
    accountName: server.accountName, accountKey: server.accountKey, serviceUrl: proxy.blobEndpoint,
    container: container.name, prefix: 'backup', accessTier: 'Archive',
  });
  await writeTree(runs.source, { 'touched.txt': 'same bytes', 'gone.txt': 'to be deleted', 'kept.txt': 'k', 'new/': null });
  t.deepEqual((await runs.backup()).failures, []);
  const metadataBefore = (await container.client.getBlobClient('backup/touched.txt').getProperties()).metadata;

  const later = new Date(Date.UTC(2030, 0, 1));
  await utimes(join(runs.source, 'touched.txt'), later, later);
  await rm(join(runs.source, 'gone.txt'));
  await writeFile(join(runs.source, 'new', 'fresh.txt'), 'fresh');
  const second = await runs.backup();
  t.is(second.counts.touched, 1);
  t.is(second.counts.uploaded, 1, 'the new file went up');
  t.deepEqual(second.failures, [], 'an archived copy makes its delete wait; it is not a failure');
  t.true(second.notes.some((n) => /gone\.txt: not deleted yet: .*archive storage/.test(n)), second.notes.join(' | '));
  t.true(await container.client.getBlobClient('backup/gone.txt').exists(), 'nothing lost: the archived file is still there');
  t.deepEqual((await container.client.getBlobClient('backup/touched.txt').getProperties()).metadata, metadataBefore, 'the archived blob was not changed');
  const versionsNow = async () => {
    const names = [];
    for await (const item of container.client.listBlobsFlat({ prefix: 'backup/$SBV$' })) names.push(item.name);
    return names;
  };
  t.deepEqual(await versionsNow(), [], 'no rehydrating copy was started as a version');

  // Only a rehydration the second run asked for can be completed here.
  await proxy.completeAll();
  const third = await runs.backup();
  t.deepEqual(third.failures, []);
  t.is(third.counts.touched, 0, 'the new mtime was recorded');
  t.is(third.counts.deleted, 1, 'once rehydrated, the delete is finished');
  t.false(await container.client.getBlobClient('backup/gone.txt').exists());
  t.is((await versionsNow()).filter((n) => n.startsWith('backup/$SBV$/gone.txt/')).length, 1, 'kept once as a version');
});

test('a blob archived behind Nimbus\'s back (lifecycle rule): the refused metadata change is recorded in the database instead', async (t) => {
  const { container, proxy } = await throughProxy(t);
  const { server } = await testAccount();
  const runs = await kernelRuns(t, {
    accountName: server.accountName, accountKey: server.accountKey, serviceUrl: proxy.blobEndpoint,
    container: container.name, prefix: 'backup',
  });
  await writeTree(runs.source, { 'a.txt': 'alpha', 'b.txt': 'beta' });
  t.deepEqual((await runs.backup()).failures, []);
  await proxy.archive(container.name, 'backup/a.txt');
  const later = new Date(Date.UTC(2031, 5, 6));
  await utimes(join(runs.source, 'a.txt'), later, later);
  await utimes(join(runs.source, 'b.txt'), later, later);
  const second = await runs.backup();
  t.deepEqual(second.failures, []);
  t.is(second.counts.touched, 2);
  t.is((await container.client.getBlobClient('backup/b.txt').getProperties()).metadata?.['nimbus_mtime'], String(later.getTime()), 'an online blob gets the new mtime in its metadata');
  const third = await runs.backup();
  t.is(third.counts.unchanged, 2);
});
