import test, { type ExecutionContext } from 'ava';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunReport, SyncReport } from '@nimbus/kernel';
import { MASKS, maskCapabilities, writeTree } from '@nimbus/testkit';
import { harness, transferred, wrappedLocal, type Harness } from './harness.js';

// plugin-local on a case-sensitive disk, seen as a case-insensitive, case-preserving service
// (OneDrive, Dropbox, Box): names that differ only by case reach one object.
const caseInsensitive = wrappedLocal('caseless', (p) => maskCapabilities(p, MASKS.caseInsensitive));
const caseInsensitiveNoMove = wrappedLocal('caseless-no-move', (p) => maskCapabilities(p, { ...MASKS.caseInsensitive, serverSideMove: false }));

/** The files at the destination, as the disk names them (outside $SBV$). */
async function storedNames(h: Harness): Promise<string[]> {
  return (await readdir(h.destination, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(h.destination.length + 1))
    .filter((p) => !p.startsWith('$SBV$'))
    .sort();
}

const changes = (r: SyncReport) => r.counts.uploaded + r.counts.downloaded + r.counts.deletedAtDestination + r.counts.deletedAtSource + r.counts.conflicts;

for (const provider of ['caseless', 'caseless-no-move']) {
  for (const mode of ['backup', 'sync'] as const) {
    test(`${mode} to a case-insensitive destination (${provider}): a case-only rename keeps the file`, async (t) => {
      const h = await harness(t, [caseInsensitive, caseInsensitiveNoMove]);
      const run = () => h.run({ provider, profile: { mode } });
      await writeTree(h.source, { 'docs/a.txt': 'the only copy', 'b.txt': 'b' });
      await run();
      await rename(join(h.source, 'docs/a.txt'), join(h.source, 'docs/A.txt'));
      if (provider === 'caseless') {
        const dry = await h.run({ provider, profile: { mode }, dryRun: true });
        t.deepEqual(dry.plan?.map((p) => `${p.action} ${p.path}`), ['rename docs/a.txt -> docs/A.txt'], 'a dry run plans one rename');
        t.deepEqual(await storedNames(h), ['b.txt', 'docs/a.txt'], 'and changes nothing');
      }
      const report = await run();
      t.deepEqual(report.failures, []);
      const names = await storedNames(h);
      t.is(names.filter((n) => n.toLowerCase() === 'docs/a.txt').length, 1, `the file is still at the destination: ${names.join(', ')}`);
      const stored = names.find((n) => n.toLowerCase() === 'docs/a.txt')!;
      t.is(await readFile(join(h.destination, stored), 'utf8'), 'the only copy');
      if (provider === 'caseless') t.is(stored, 'docs/A.txt', 'with server-side move, the object follows the new name');
      const deleted = mode === 'backup' ? (report as RunReport).counts.deleted : (report as unknown as SyncReport).counts.deletedAtDestination;
      t.is(deleted, 0, 'nothing was deleted');
      const again = await run();
      t.is(mode === 'backup' ? transferred(again) + (again as RunReport).counts.deleted : changes(again as unknown as SyncReport), 0, 'a further run has nothing to do');
      t.true(existsSync(join(h.source, 'docs/A.txt')));
    });
  }
}

async function twins(t: ExecutionContext, mode: 'backup' | 'sync') {
  const h = await harness(t, [caseInsensitive]);
  await writeTree(h.source, { 'x.txt': 'lower', 'X.txt': 'UPPER', 'other.txt': 'o' });
  const report = await h.run({ provider: 'caseless', profile: { mode } });
  t.is(report.exitCode, 1);
  t.is(report.failures.length, 1, JSON.stringify(report.failures));
  t.regex(report.failures[0]!.error, /"x\.txt" and "X\.txt" differ only by case|"X\.txt" and "x\.txt" differ only by case/);
  const names = await storedNames(h);
  t.deepEqual(names.filter((n) => n.toLowerCase() === 'x.txt').length, 1);
  const kept = await readFile(join(h.destination, names.find((n) => n.toLowerCase() === 'x.txt')!), 'utf8');
  const keptName = report.failures[0]!.path === 'x.txt' ? 'X.txt' : 'x.txt';
  t.is(kept, keptName === 'x.txt' ? 'lower' : 'UPPER', 'the kept name holds its own content, not its twin\'s');
  const again = await h.run({ provider: 'caseless', profile: { mode } });
  t.is(again.failures.length, 1, 'reported again, and nothing else happens');
  t.deepEqual(again.failures[0]!.path, report.failures[0]!.path);
  t.is(await readFile(join(h.destination, names.find((n) => n.toLowerCase() === 'x.txt')!), 'utf8'), kept);
  t.is(await readFile(join(h.source, 'x.txt'), 'utf8'), 'lower', 'both source files stay');
  t.is(await readFile(join(h.source, 'X.txt'), 'utf8'), 'UPPER');
}

test('backup to a case-insensitive destination: two source names that differ only by case are a failure naming both', (t) => twins(t, 'backup'));
test('sync with a case-insensitive destination: two source names that differ only by case are a failure naming both', (t) => twins(t, 'sync'));

test('sync with a case-insensitive destination: the same file under another case on each side is one file (adopted, no conflict, no copy)', async (t) => {
  const h = await harness(t, [caseInsensitive]);
  await writeTree(h.source, { 'Report.txt': 'same' });
  await writeTree(h.destination, { 'report.txt': 'same' });
  const report = await h.sync({ provider: 'caseless' });
  t.deepEqual(report.failures, []);
  t.like(report.counts, { uploaded: 0, downloaded: 0, conflicts: 0, unchanged: 1 });
  t.deepEqual(await readdir(h.source), ['Report.txt']);
  t.is((await storedNames(h)).length, 1);
  await writeFile(join(h.destination, (await storedNames(h))[0]!), 'changed at the destination');
  const after = await h.sync({ provider: 'caseless' });
  t.is(after.counts.downloaded, 1);
  t.is(await readFile(join(h.source, 'Report.txt'), 'utf8'), 'changed at the destination');
});

for (const mode of ['backup', 'sync'] as const) {
  test(`${mode} to a case-insensitive destination: a folder renamed by case only (and a file in it) keeps every file`, async (t) => {
    const h = await harness(t, [caseInsensitive]);
    const run = () => h.run({ provider: 'caseless', profile: { mode } });
    await writeTree(h.source, { 'Docs/a.txt': 'a', 'Docs/Sub/b.txt': 'b', 'Docs/Sub/deeper/c.txt': 'c', 'top.txt': 't' });
    await run();
    await rename(join(h.source, 'Docs'), join(h.source, 'docs'));
    await rename(join(h.source, 'docs/Sub'), join(h.source, 'docs/sub'));
    await rename(join(h.source, 'docs/a.txt'), join(h.source, 'docs/A.txt'));
    await writeFile(join(h.source, 'docs/sub/b.txt'), 'b changed');
    const report = await run();
    t.deepEqual(report.failures, []);
    const names = (await storedNames(h)).map((n) => n.toLowerCase()).sort();
    t.deepEqual(names, ['docs/a.txt', 'docs/sub/b.txt', 'docs/sub/deeper/c.txt', 'top.txt'], 'every file is still at the destination');
    const stored = await storedNames(h);
    t.is(await readFile(join(h.destination, stored.find((n) => n.toLowerCase() === 'docs/sub/b.txt')!), 'utf8'), 'b changed');
    const again = await run();
    t.is(mode === 'backup' ? transferred(again) + (again as RunReport).counts.deleted : changes(again as unknown as SyncReport), 0, 'a further run has nothing to do');
    t.deepEqual(again.failures, []);
  });
}
