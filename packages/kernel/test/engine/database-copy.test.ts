import test from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { deleteProfileDatabase, rebuildProfileDatabase, validateProfile } from '@nimbus/kernel';
import { MASKS, maskCapabilities, writeTree } from '@nimbus/testkit';
import { harness, transferred, wrappedLocal } from './harness.js';

const T0 = new Date('2023-03-03T03:03:03Z').getTime();
const tree = { 'a.txt': { content: 'a', mtime: T0 }, 'd/b.txt': { content: 'bb', mtime: T0 }, 'd/e/c.txt': { content: 'ccc', mtime: T0 } };

test('with remoteDatabaseCopy, a machine that lost its database resumes from the copy at the destination', async (t) => {
  // A provider that can keep neither metadata nor mtimes: without the copy every file would be re-sent.
  const bare = wrappedLocal('bare', (p) => maskCapabilities(p, MASKS.allFallbacks));
  const h = await harness(t, [bare]);
  await writeTree(h.source, tree);
  await h.run({ provider: 'bare', profile: { remoteDatabaseCopy: true } });
  t.true(existsSync(join(h.destination, '$NIMBUS$', 'test.sqlite')));
  const { rm } = await import('node:fs/promises');
  await rm(h.dataDir, { recursive: true });
  const report = await h.run({ provider: 'bare', profile: { remoteDatabaseCopy: true } });
  t.is(transferred(report), 0, 'nothing re-sent');
  t.true(h.logger.lines.some((l) => /started from the copy of its cloud database/.test(l.message)));
  t.is(report.counts.deleted, 0, 'the copy is not mistaken for a stray file');
});

test('db delete removes the local database and, with remote, its copy; db rebuild lists the destination', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, tree);
  await h.run({ profile: { remoteDatabaseCopy: true } });
  const loaded = validateProfile({ name: 'test', source: h.source, destination: { provider: 'local', path: h.destination }, remoteDatabaseCopy: true }, 'p', '/', 'test');
  const env = { NIMBUS_DATA_DIR: h.dataDir };
  const rebuilt = await rebuildProfileDatabase({ loaded, registry: h.registry, env });
  t.deepEqual(rebuilt, { profile: 'test', files: 3, withKnownMtime: 3 });
  const deleted = await deleteProfileDatabase({ loaded, registry: h.registry, env, remote: true });
  t.deepEqual(deleted, { local: true, remote: true });
  t.false(existsSync(join(h.dataDir, 'profiles', 'test', 'cloud.sqlite')));
  t.false(existsSync(join(h.destination, '$NIMBUS$', 'test.sqlite')));
  t.is(transferred(await h.run()), 0, 'the next run rebuilds from a listing (settable mtimes here)');
});

test('rebuilding from a listing without metadata asks each unknown object (HEAD) instead of re-sending it', async (t) => {
  const { MemoryProvider } = await import('@nimbus/testkit');
  const { z } = await import('@nimbus/kernel');
  const cloud = new MemoryProvider();
  let stats = 0;
  // Like S3 or Swift: listings carry no custom metadata, stat does.
  const capabilities = { ...cloud.capabilities, mtime: { support: 'none' as const, precisionMs: 1000 } };
  const s3like = Object.assign(Object.create(cloud), {
    capabilities,
    async *list(dir: string, options?: { recursive?: boolean }) {
      for await (const page of cloud.list(dir, options)) yield page.map(({ metadata: _dropped, hashes: _none, ...entry }) => entry); // no free hash either: metadata must be asked
    },
    async stat(path: string) {
      stats++;
      return cloud.stat(path);
    },
  });
  const manifest = { id: 'listy', displayName: 'listy', kernelApi: '^1.0.0', configSchema: z.strictObject({ path: z.string() }), capabilities, connect: async () => s3like };
  const h = await harness(t, [manifest]);
  await writeTree(h.source, tree);
  await h.run({ provider: 'listy' });
  const { rm } = await import('node:fs/promises');
  await rm(h.dataDir, { recursive: true });
  stats = 0;
  const report = await h.run({ provider: 'listy' });
  t.is(transferred(report), 0, 'original mtimes were learnt from the objects');
  t.is(stats, 3, 'one stat per object the database did not know');
});
