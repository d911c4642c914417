import test from 'ava';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { restoreProfile, UserError, validateProfile, type StorageProvider } from '@nimbus/kernel';
import { createArchiveSimulation, MASKS, maskCapabilities, treeDigest, writeTree } from '@nimbus/testkit';
import { harness, wrappedLocal, type Harness } from './harness.js';

const T0 = new Date('2021-05-05T05:05:05.555Z').getTime();
const tree = {
  'a.txt': { content: 'alpha', mtime: T0 },
  'docs/b.txt': { content: 'beta', mtime: T0 + 1000 },
  'docs/deep/c.bin': { size: 1024 * 1024 + 3, seed: 3, mtime: T0 + 2000 },
  'odd #%+?&/é.txt': { content: 'odd', mtime: T0 },
  'empty.txt': { content: '', mtime: T0 },
  'hollow/': null,
};

function restore(h: Harness, target: string, options: { paths?: string[]; force?: boolean; dryRun?: boolean; provider?: string } = {}) {
  const loaded = validateProfile(
    { name: 'test', source: h.source, destination: { provider: options.provider ?? 'local', path: h.destination } },
    'test profile',
    '/',
    'test',
  );
  return restoreProfile({
    loaded,
    registry: h.registry,
    target,
    env: { NIMBUS_DATA_DIR: h.dataDir },
    logger: h.logger,
    retry: { retries: 1, minDelayMs: 1, maxDelayMs: 2 },
    ...(options.paths ? { paths: options.paths } : {}),
    ...(options.force ? { force: true } : {}),
    ...(options.dryRun ? { dryRun: true } : {}),
  });
}

test('restore brings every file back byte for byte with mtimes, and empty folders', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, tree);
  await h.run();
  const target = join(h.source, '..', 'restored');
  const report = await restore(h, target);
  t.is(report.exitCode, 0, JSON.stringify(report.failures));
  t.is(report.counts.restored, 5);
  t.deepEqual(await treeDigest(target), await treeDigest(h.source));
  t.is(Math.round((await stat(join(target, 'docs/deep/c.bin'))).mtimeMs), T0 + 2000);
  t.true((await stat(join(target, 'hollow'))).isDirectory());
  const again = await restore(h, target);
  t.is(again.counts.restored, 0);
  t.is(again.counts.unchanged, 5);
});

test('restore --path selects files; a newer local file is kept unless --force', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, tree);
  await h.run();
  const target = join(h.source, '..', 'restored');
  const some = await restore(h, target, { paths: ['docs/**'] });
  t.is(some.counts.considered, 2);
  t.deepEqual((await readdir(target)).sort(), ['docs']);
  await writeFile(join(target, 'docs/b.txt'), 'edited locally');
  const later = new Date(T0 + 999_999);
  await utimes(join(target, 'docs/b.txt'), later, later);
  const kept = await restore(h, target, { paths: ['docs/**'] });
  t.is(kept.counts.skippedNewer, 1);
  t.is(await readFile(join(target, 'docs/b.txt'), 'utf8'), 'edited locally');
  const forced = await restore(h, target, { paths: ['docs/**'], force: true });
  t.is(forced.counts.restored, 1);
  t.is(await readFile(join(target, 'docs/b.txt'), 'utf8'), 'beta');
});

test('an older local file is replaced; a dry run restores nothing', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, tree);
  await h.run();
  const target = join(h.source, '..', 'restored');
  await writeTree(target, { 'a.txt': { content: 'stale', mtime: T0 - 5000 } });
  const dry = await restore(h, target, { dryRun: true });
  t.is(dry.plan?.length, 6);
  t.is(await readFile(join(target, 'a.txt'), 'utf8'), 'stale');
  t.false(existsSync(join(target, 'docs')));
  const real = await restore(h, target);
  t.is(real.counts.restored, 5);
  t.is(await readFile(join(target, 'a.txt'), 'utf8'), 'alpha');
});

test('a corrupted stored copy is detected and no partial file is left', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, tree);
  await h.run();
  // Same size, other bytes, behind Nimbus's back.
  await writeFile(join(h.destination, 'a.txt'), 'ALPHA');
  const target = join(h.source, '..', 'restored');
  const report = await restore(h, target, { paths: ['a.txt'] });
  t.is(report.exitCode, 1);
  t.regex(report.failures[0]!.error, /does not match the SHA-256 recorded at backup/);
  t.deepEqual(await readdir(target), [], 'nothing left behind');
});

test('a restore target that is a file is a usage error', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, tree);
  await h.run();
  await t.throwsAsync(restore(h, join(h.source, 'a.txt')), { instanceOf: UserError, message: /is a file: give a folder/ });
});

test('restore works from a lost database by listing the destination', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, tree);
  await h.run();
  const { rm } = await import('node:fs/promises');
  await rm(h.dataDir, { recursive: true });
  const target = join(h.source, '..', 'restored');
  const report = await restore(h, target);
  t.is(report.exitCode, 0, JSON.stringify(report.failures));
  t.deepEqual(await treeDigest(target), await treeDigest(h.source));
});

for (const model of ['temporary-copy', 'rehydrate'] as const) {
  test(`archived objects (${model}): first run requests a restore, second waits, third completes`, async (t) => {
    const sim = createArchiveSimulation(model);
    const manifest = wrappedLocal(`archive-${model === 'rehydrate' ? 'rh' : 'tc'}`, (p: StorageProvider) => sim.wrap(maskCapabilities(p, MASKS.noMtime)));
    const h = await harness(t, [manifest]);
    await writeTree(h.source, tree);
    await h.run({ provider: manifest.id });
    sim.control.archive('docs/b.txt');
    sim.control.archive('docs/deep/c.bin');
    const target = join(h.source, '..', 'restored');

    const first = await restore(h, target, { provider: manifest.id });
    t.is(first.counts.restored, 3, 'the online files are restored at once');
    t.is(first.counts.pendingArchive, 2);
    t.is(first.exitCode, 1, 'incomplete until the archive restore is done');
    t.is(sim.control.requests.length, 2);
    t.true(h.logger.lines.some((l) => /docs\/b\.txt is in archive storage .*restore requested/.test(l.message)));
    t.false(existsSync(join(target, 'docs/b.txt')));

    const second = await restore(h, target, { provider: manifest.id });
    t.is(second.counts.pendingArchive, 2, 'still restoring');
    t.is(sim.control.requests.length, 2, 'no second request while one is running');

    sim.control.complete('docs/b.txt');
    sim.control.complete('docs/deep/c.bin');
    const third = await restore(h, target, { provider: manifest.id });
    t.is(third.counts.restored, 2);
    t.is(third.exitCode, 0);
    t.deepEqual(await treeDigest(target), await treeDigest(h.source));
  });
}

test('an expired temporary copy is requested again', async (t) => {
  const sim = createArchiveSimulation('temporary-copy');
  const manifest = wrappedLocal('archive-exp', (p: StorageProvider) => sim.wrap(p));
  const h = await harness(t, [manifest]);
  await writeTree(h.source, tree);
  await h.run({ provider: manifest.id });
  sim.control.archive('a.txt');
  const target = join(h.source, '..', 'restored');
  t.is((await restore(h, target, { provider: manifest.id, paths: ['a.txt'] })).counts.pendingArchive, 1);
  sim.control.complete('a.txt');
  sim.control.expire('a.txt');
  const report = await restore(h, target, { provider: manifest.id, paths: ['a.txt'] });
  t.is(report.counts.pendingArchive, 1);
  t.is(sim.control.requests.length, 2, 'requested again after expiry');
});

test('the profile\'s archiveRestore settings reach the restore request', async (t) => {
  const sim = createArchiveSimulation('temporary-copy');
  const manifest = wrappedLocal('archive-settings', (p: StorageProvider) => sim.wrap(p));
  const h = await harness(t, [manifest]);
  await writeTree(h.source, tree);
  await h.run({ provider: manifest.id });
  sim.control.archive('a.txt');
  const loaded = validateProfile(
    { name: 'test', source: h.source, destination: { provider: manifest.id, path: h.destination }, archiveRestore: { days: 3, priority: 'Bulk' } },
    'p',
    '/',
    'test',
  );
  await restoreProfile({ loaded, registry: h.registry, target: join(h.source, '..', 'r'), paths: ['a.txt'], env: { NIMBUS_DATA_DIR: h.dataDir } });
  t.deepEqual(sim.control.requests.map((r) => r.request), [{ days: 3, priority: 'Bulk' }]);
});
