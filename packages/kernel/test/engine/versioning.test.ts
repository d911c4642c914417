import test from 'ava';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expiredVersions, MINIMAL_CAPABILITIES, z, type PluginManifest } from '@nimbus/kernel';
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
