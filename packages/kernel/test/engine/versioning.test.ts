import test from 'ava';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expiredVersions, MINIMAL_CAPABILITIES, ProviderError, z, type PluginManifest } from '@nimbus/kernel';
import { MASKS, maskCapabilities, MemoryProvider, writeTree } from '@nimbus/testkit';
import { destinationDigest, harness, transferred, wrappedLocal } from './harness.js';

async function versionsIn(root: string, path: string): Promise<string[]> {
  const dir = join(root, '$SBV$', ...path.split('/'));
  return existsSync(dir) ? (await readdir(dir)).sort() : [];
}

test('overwritten and deleted files are kept in $SBV$ with a timestamp; the tree itself stays exact', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, { 'a.txt': 'v1', 'd/b.txt': 'b1' });
  await h.run();
  await writeFile(join(h.source, 'a.txt'), 'v2 longer');
  await h.run();
  const kept = await versionsIn(h.destination, 'a.txt');
  t.is(kept.length, 1);
  t.regex(kept[0]!, /^\d{8}T\d{9}Z$/);
  t.is(await readFile(join(h.destination, '$SBV$', 'a.txt', kept[0]!), 'utf8'), 'v1');
  t.is(await readFile(join(h.destination, 'a.txt'), 'utf8'), 'v2 longer');

  await rm(join(h.source, 'd'), { recursive: true });
  const report = await h.run();
  t.is(report.counts.deleted, 1);
  t.false(existsSync(join(h.destination, 'd', 'b.txt')));
  const deleted = await versionsIn(h.destination, 'd/b.txt');
  t.is(await readFile(join(h.destination, '$SBV$', 'd', 'b.txt', deleted[0]!), 'utf8'), 'b1');
  t.deepEqual(await destinationDigest(h), new Map([['a.txt', (await destinationDigest(h)).get('a.txt')!]]));
  t.is(transferred(await h.run()), 0, 'the versions folder is not mistaken for source files');
  t.is(transferred(await h.run({ profile: { verifyRemote: true } })), 0, 'nor by a listing run');
});

test('only the newest N versions are kept; keep: 0 keeps none', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, { 'a.txt': 'v0' });
  await h.run({ profile: { versioning: { keep: 2 } } });
  for (let i = 1; i <= 4; i++) {
    await writeFile(join(h.source, 'a.txt'), `v${i}${'!'.repeat(i)}`);
    await h.run({ profile: { versioning: { keep: 2 } } });
  }
  const kept = await versionsIn(h.destination, 'a.txt');
  t.is(kept.length, 2);
  t.deepEqual(await Promise.all(kept.map((k) => readFile(join(h.destination, '$SBV$', 'a.txt', k), 'utf8'))), ['v2!!', 'v3!!!']);

  const h0 = await harness(t);
  await writeTree(h0.source, { 'a.txt': 'v0' });
  await h0.run({ profile: { versioning: { keep: 0 } } });
  await writeFile(join(h0.source, 'a.txt'), 'v1!');
  await h0.run({ profile: { versioning: { keep: 0 } } });
  t.false(existsSync(join(h0.destination, '$SBV$')));
});

test('a source folder named $SBV$ at the top is skipped with a note', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, { 'a.txt': 'a', '$SBV$/x.txt': 'x' });
  const report = await h.run();
  t.is(report.counts.uploaded, 1);
  t.true(report.notes.some((n) => /\$SBV\$ at the top is skipped/.test(n)));
});

test('without server-side copy or move, versioning is disabled once with a clear note', async (t) => {
  const bare = wrappedLocal('no-ops', (p) => maskCapabilities(p, MASKS.noServerSideOps));
  const h = await harness(t, [bare]);
  await writeTree(h.source, { 'a.txt': 'v1' });
  await h.run({ provider: 'no-ops' });
  await writeFile(join(h.source, 'a.txt'), 'v2!');
  const report = await h.run({ provider: 'no-ops' });
  t.is(report.exitCode, 0);
  t.is(report.notes.filter((n) => /previous copies .* cannot be kept \(\$SBV\$ versioning is off\)/.test(n)).length, 1);
  t.false(existsSync(join(h.destination, '$SBV$')));
});

test('a provider with forced versioning keeps its own versions; Nimbus purges beyond keep', async (t) => {
  const cloud = new MemoryProvider();
  const memory: PluginManifest = {
    id: 'memory',
    displayName: 'In-memory versioned store',
    kernelApi: '^1.0.0',
    configSchema: z.strictObject({ path: z.string() }),
    capabilities: cloud.capabilities ?? MINIMAL_CAPABILITIES,
    connect: async () => cloud,
  };
  const h = await harness(t, [memory]);
  await writeTree(h.source, { 'a.txt': 'v0' });
  const profile = { versioning: { keep: 2 } };
  await h.run({ provider: 'memory', profile });
  for (let i = 1; i <= 5; i++) {
    await writeFile(join(h.source, 'a.txt'), `v${i}${'+'.repeat(i)}`);
    await h.run({ provider: 'memory', profile });
  }
  const versions = await cloud.listVersions('a.txt');
  t.is(versions.length, 3, 'the current one and two older');
  t.is(versions.filter((v) => v.isLatest).length, 1);
  t.false(existsSync(join(h.destination, '$SBV$')), 'no $SBV$ folder on a versioning provider');
  await rm(join(h.source, 'a.txt'));
  await h.run({ provider: 'memory', profile });
  t.is(await cloud.stat('a.txt'), undefined);
  t.true((await cloud.listVersions('a.txt')).length <= 3);
});

test('retention by age drops versions superseded longer ago than maxAgeDays, within keep', (t) => {
  const now = Date.parse('2026-11-26T00:00:00Z');
  const day = 86_400_000;
  const versions = [1, 5, 20, 40].map((d) => ({ id: d, supersededAt: now - d * day }));
  t.deepEqual(expiredVersions(versions, { keep: 10, maxAgeDays: 30 }, now).map((v) => v.id), [40]);
  t.deepEqual(expiredVersions(versions, { keep: 2 }, now).map((v) => v.id), [20, 40]);
  t.deepEqual(expiredVersions(versions, { keep: 0 }, now).map((v) => v.id), [1, 5, 20, 40]);
});

/** plugin-local whose uploads of `path` fail while `failing` says so (after any copy into $SBV$ was made). */
function failingUploads(path: string, failing: () => boolean): PluginManifest {
  return wrappedLocal('failing-uploads', (p) => {
    if (!p.write) return p; // the capability probe
    const write = p.write.bind(p);
    p.write = async (target, body, options) => {
      if (target === path && failing()) {
        body.resume();
        throw new Error('connection reset during the upload');
      }
      return write(target, body, options);
    };
    return p;
  });
}

for (const mode of ['backup', 'sync'] as const) {
  test(`${mode}: an upload that failed after the previous copy was kept does not make the rerun keep it twice`, async (t) => {
    let failing = false;
    const h = await harness(t, [failingUploads('big.bin', () => failing)]);
    const run = (profile = {}) => h.run({ provider: 'failing-uploads', profile: { mode, versioning: { keep: 3 }, ...profile } });
    await writeTree(h.source, { 'big.bin': { size: 25_000, seed: 'v1' } });
    await run();
    await writeTree(h.source, { 'big.bin': { size: 80_000, seed: 'v2' } });
    failing = true; // the run ends with the upload failed and the previous copy kept
    const failed = await run();
    failing = false;
    t.is(failed.exitCode, 1);
    t.is((await versionsIn(h.destination, 'big.bin')).length, 1, 'the failed run kept the previous copy');
    for (const rerun of [await run(), await run()]) t.is(rerun.exitCode, 0, JSON.stringify(rerun.failures));
    const kept = await versionsIn(h.destination, 'big.bin');
    t.is(kept.length, 1, `the 25,000-byte copy is kept once, not again by the rerun (${kept.join(', ')})`);
    t.is((await readFile(join(h.destination, '$SBV$', 'big.bin', kept[0]!))).length, 25_000);

    // A real older version is not pushed out by duplicates: with keep 2, v1 and v2 stay when v3 arrives.
    await writeTree(h.source, { 'big.bin': { size: 30_000, seed: 'v3' } });
    failing = true;
    await run({ versioning: { keep: 2 } });
    failing = false;
    await run({ versioning: { keep: 2 } });
    const sizes = await Promise.all((await versionsIn(h.destination, 'big.bin')).map(async (k) => (await readFile(join(h.destination, '$SBV$', 'big.bin', k))).length));
    t.deepEqual(sizes, [25_000, 80_000]);
  });
}

test('a move into $SBV$ whose answer was lost is recorded, not failed: the retry finds the version already there', async (t) => {
  let lost = 0;
  // The first move of each file is done, then its answer is lost (a reset after the server acted).
  const losingMoves = wrappedLocal('losing-moves', (p) => {
    const moved = new Set<string>();
    return Object.assign(Object.create(p) as typeof p, {
      capabilities: p.capabilities,
      move: async (from: string, to: string) => {
        const entry = await p.move!(from, to);
        if (moved.has(from)) return entry;
        moved.add(from);
        lost++;
        throw new ProviderError('transient', 'connection reset after the move was done');
      },
    });
  });
  const h = await harness(t, [losingMoves]);
  await writeTree(h.source, { 'a.txt': 'a', 'b.txt': 'b' });
  await h.run({ provider: 'losing-moves' });
  await rm(join(h.source, 'a.txt'));
  const report = await h.run({ provider: 'losing-moves' });
  t.is(lost, 1);
  t.deepEqual(report.failures, []);
  t.is(report.counts.deleted, 1);
  t.false(existsSync(join(h.destination, 'a.txt')));
  const kept = await versionsIn(h.destination, 'a.txt');
  t.is(kept.length, 1, 'kept once');
  t.is(await readFile(join(h.destination, '$SBV$', 'a.txt', kept[0]!), 'utf8'), 'a');
});
