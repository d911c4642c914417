import { validateProfile, runBackup, MemoryLogger, type RunReport } from '@nimbus/kernel';
import { makeTempDir, startFaultInjectionProxy, startS3GlacierProxy, treeDigest, writeTree } from '@nimbus/testkit';
import test from 'ava';
import { rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FAST_RETRY, registryWithPlugins } from './support/in-process.js';
import { FAULT_RATES } from './support/fault-rates.js';
import { HEAVY } from './support/random.js';
import { sourceSpec } from './support/source-tree.js';
import { swiftS3Target } from './support/targets.js';

const FILES = HEAVY ? 600 : 120;
/** Each kind of change touches this many files. */
const CHANGED = HEAVY ? 40 : 10;
const RATES = FAULT_RATES;

/**
 * The archive faults of Amazon S3 on top of the network ones: every object is stored in
 * GLACIER (so a metadata rewrite and a copy into $SBV$ meet 403 InvalidObjectState), and
 * Expedited restores meet 503 GlacierExpeditedRetrievalNotAvailable; in front of that,
 * 5% errors and 1% resets. Nimbus → fault proxy → Glacier proxy → Swift's S3 API.
 */
test.serial(`swift-s3 as GLACIER: ${FILES} archived files, then mtime-only changes, updates and deletes, through archive faults and 5% errors: no run fails, nothing is lost`, async (t) => {
  const target = await swiftS3Target('archive-faults');
  t.teardown(() => target.cleanup());
  const dir = await makeTempDir('nimbus-archive-faults-');
  t.teardown(dir.cleanup);
  const source = join(dir.path, 'source');
  const spec = sourceSpec({ files: FILES, large: 1, seed: 300 });
  await writeTree(source, spec);
  const glacier = await startS3GlacierProxy({ target: target.upstream });
  t.teardown(() => glacier.close());
  glacier.expeditedUnavailable = true;
  const faults = await startFaultInjectionProxy({ target: glacier.endpoint, seed: `archive-faults${process.env.NIMBUS_FAULT_SEED ?? ''}`, rates: RATES, dialect: 's3', retryAfterSeconds: 1, delayMs: 200 });
  t.teardown(faults.close);

  const registry = registryWithPlugins();
  const dataDir = join(dir.path, 'data');
  const loaded = validateProfile(
    {
      name: 'archive-faults',
      source,
      transfers: 8,
      versioning: { keep: 3 },
      destination: { ...target.destination(faults.endpoint), s3Compatible: false, storageClass: 'GLACIER', restoreTier: 'Expedited' },
    },
    'test profile',
    dir.path,
    'archive-faults',
  );
  const backup = (): Promise<RunReport> => runBackup({ loaded, registry, logger: new MemoryLogger(), env: { NIMBUS_DATA_DIR: dataDir }, retry: FAST_RETRY });
  const [bucket, ...rest] = target.requestPath('').replace(/^\//, '').split('/');
  const keyOf = (relative: string) => `${rest.join('/')}${relative}`;

  const first = await backup();
  t.deepEqual(first.failures, []);
  t.is(first.counts.uploaded, FILES + 1);
  const files = [...(await treeDigest(source)).keys()];
  t.deepEqual(new Set(files.map((f) => glacier.storageClassOf(bucket!, keyOf(f)))), new Set(['GLACIER']), 'every object archived from its upload on');

  const touched = files.slice(0, CHANGED);
  const changed = files.slice(CHANGED, 2 * CHANGED);
  const removed = files.slice(2 * CHANGED, 3 * CHANGED);
  for (const f of touched) await utimes(join(source, f), new Date('2031-01-01T00:00:00Z'), new Date('2031-01-01T00:00:00Z'));
  for (const f of changed) await writeFile(join(source, f), `changed ${f}`);
  for (const f of removed) await rm(join(source, f));

  const second = await backup();
  t.deepEqual(second.failures, [], 'InvalidObjectState on the metadata rewrites and version copies fails no file');
  t.like(second.counts, { touched: CHANGED, updated: 0, deleted: 0 });
  t.is(second.notes.filter((n) => /not (updated|deleted) yet/.test(n)).length, 2 * CHANGED, 'each waiting file is named');
  for (const f of [...changed, ...removed]) t.like(glacier.restoreOf(bucket!, keyOf(f)), { phase: 'ongoing', tier: 'Standard' }, `${f}: restore asked (Standard, Expedited being unavailable)`);
  t.true(glacier.restoreRequests.some((r) => r.code === 'GlacierExpeditedRetrievalNotAvailable'), 'the 503 was met');

  for (const f of [...changed, ...removed]) glacier.completeRestore(bucket!, keyOf(f));
  // Now that the copies can be made, one answer to a copy into $SBV$ is lost for certain (stored, then reset): the retry must not keep a second version.
  faults.alwaysFail((r) => r.method === 'PUT' && r.path.includes('/$SBV$/'), 'reset-response', 1);
  const third = await backup();
  t.deepEqual(third.failures, []);
  t.like(third.counts, { updated: CHANGED, deleted: CHANGED, touched: 0 });

  const stored = await target.objects();
  const current = new Map([...stored].filter(([k]) => !k.startsWith('$SBV$/')));
  t.deepEqual(current, await treeDigest(source), 'the destination holds the source byte for byte');
  const versions = [...stored.keys()].filter((k) => k.startsWith('$SBV$/'));
  if (versions.length !== 2 * CHANGED) t.log(versions, faults.injected.filter((f) => f.path.includes('$SBV$') || f.method === 'PUT'));
  t.is(versions.length, 2 * CHANGED, 'one kept version per updated or deleted file');
  t.deepEqual(await target.leftovers(), []);
  const rerun = await backup();
  t.is(rerun.counts.uploaded + rerun.counts.updated + rerun.counts.deleted + rerun.counts.touched, 0, 'an unchanged rerun changes nothing');
  t.log(`${faults.totals.requests} requests, faults ${JSON.stringify(faults.counts)}, restore answers ${JSON.stringify(glacier.restoreRequests.reduce<Record<string, number>>((a, r) => ({ ...a, [r.code ?? r.status]: (a[r.code ?? r.status] ?? 0) + 1 }), {}))}`);
});
