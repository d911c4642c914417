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
