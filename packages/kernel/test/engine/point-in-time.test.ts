import test from 'ava';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MINIMAL_CAPABILITIES, restoreProfile, validateProfile, z, type PluginManifest } from '@nimbus/kernel';
import { MemoryProvider, writeTree } from '@nimbus/testkit';
import { harness, type Harness } from './harness.js';

const pause = () => new Promise((r) => setTimeout(r, 25));

async function restoreAt(h: Harness, at: number, provider = 'local') {
  const loaded = validateProfile({ name: 'test', source: h.source, destination: { provider, path: h.destination } }, 'p', '/', 'test');
  const target = join(h.source, '..', `restored-${at}`);
  const report = await restoreProfile({ loaded, registry: h.registry, target, at, env: { NIMBUS_DATA_DIR: h.dataDir } });
  return { report, target };
}

async function history(h: Harness, provider?: string) {
  const run = () => h.run(provider ? { provider } : {});
  await writeTree(h.source, { 'doc.txt': 'version 1', 'gone.txt': 'was here' });
  await run();
  await pause();
  const t1 = Date.now();
  await pause();
  await writeFile(join(h.source, 'doc.txt'), 'version 2, longer');
  await rm(join(h.source, 'gone.txt'));
  await run();
  await pause();
  const t2 = Date.now();
  await pause();
  await writeFile(join(h.source, 'doc.txt'), 'version 3, the longest one');
  await run();
  return { t1, t2 };
}

test('restore --at picks the copy current at that time from $SBV$, deleted files included', async (t) => {
  const h = await harness(t);
  const { t1, t2 } = await history(h);
  const early = await restoreAt(h, t1);
  t.is(early.report.exitCode, 0, JSON.stringify(early.report.failures));
  t.is(await readFile(join(early.target, 'doc.txt'), 'utf8'), 'version 1');
  t.is(await readFile(join(early.target, 'gone.txt'), 'utf8'), 'was here', 'a file deleted since comes back');
  const middle = await restoreAt(h, t2);
  t.is(await readFile(join(middle.target, 'doc.txt'), 'utf8'), 'version 2, longer');
  const now = await restoreAt(h, Date.now());
  t.is(await readFile(join(now.target, 'doc.txt'), 'utf8'), 'version 3, the longest one');
  const before = await restoreAt(h, t1 - 60_000);
  t.is(before.report.counts.considered, 0, 'nothing existed yet');
});

test('restore --at uses the provider\'s own versions where it keeps them', async (t) => {
  const cloud = new MemoryProvider();
  const memory: PluginManifest = {
    id: 'memory', displayName: 'memory', kernelApi: '^1.0.0', configSchema: z.strictObject({ path: z.string() }),
    capabilities: cloud.capabilities ?? MINIMAL_CAPABILITIES, connect: async () => cloud,
  };
  const h = await harness(t, [memory]);
  const { t1, t2 } = await history(h, 'memory');
  t.is(await readFile(join((await restoreAt(h, t1, 'memory')).target, 'doc.txt'), 'utf8'), 'version 1');
  t.is(await readFile(join((await restoreAt(h, t2, 'memory')).target, 'doc.txt'), 'utf8'), 'version 2, longer');
});
