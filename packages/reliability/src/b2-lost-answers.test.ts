import { makeTempDir, startB2Fake, treeDigest, writeTree } from '@nimbus/testkit';
import test from 'ava';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { recordedState } from './support/database.js';
import { inProcessBackup } from './support/in-process.js';
import { MB, sourceSpec } from './support/source-tree.js';

const FILES = 120;
const LARGE = 3;
const BUCKET = 'nimbus-b2-faults';

// B2 has no test server here: its wire-level fake stands in, as strict as the service (one upload
// per upload URL, URLs dead after a failure, B2's error codes). Two faults at once:
// - "committed, then the answer was lost" on b2_upload_file, b2_upload_part and
//   b2_finish_large_file (the fake stores, then resets the connection or answers 500);
// - B2's own X-Bz-Test-Mode: fail_some_uploads (the profile's testMode), which fails every third
//   upload with 503.
// A retry that does not look first leaves a duplicate version; a cancel after a lost finish fails a
// file that is there. Every file must be stored exactly once (one version), byte for byte.
test('b2 (fake): a backup through lost answers (upload, part, finish) and fail_some_uploads stores every file once, exact; a rerun sends nothing', async (t) => {
  const fake = await startB2Fake({ buckets: [BUCKET], recommendedPartSize: 5 * MB });
  t.teardown(() => fake.close());
  const dir = await makeTempDir('nimbus-b2-faults-');
  t.teardown(dir.cleanup);
  const source = join(dir.path, 'source');
  await writeTree(source, sourceSpec({ files: FILES, large: LARGE, seed: 300 }));
  fake.loseAnswers({ count: 4, calls: ['b2_upload_file'], mode: 'reset' });
  fake.loseAnswers({ count: 3, calls: ['b2_upload_file'], mode: 'error-500' });
  fake.loseAnswers({ count: 2, calls: ['b2_upload_part'], mode: 'reset' });
  fake.loseAnswers({ count: 1, calls: ['b2_finish_large_file'], mode: 'reset' });
  fake.loseAnswers({ count: 1, calls: ['b2_finish_large_file'], mode: 'error-500' });
  const destination = { provider: 'b2', keyId: fake.keyId, applicationKey: fake.applicationKey, bucket: BUCKET, apiUrl: fake.url, prefix: 'root', testMode: 'fail_some_uploads' };
  const backup = inProcessBackup({ dir: dir.path, source, destination });

  const first = await backup.run();
  t.deepEqual(first.failures, [], 'every file made it despite the faults');
  t.is(first.counts.uploaded, FILES + LARGE);
  t.is(fake.lostAnswers, 11, 'every lost answer was injected');
  t.true(fake.errorCount('service_unavailable') > 0, 'fail_some_uploads failed some uploads');
  t.log(`${fake.lostAnswers} answers lost, ${fake.errorCount('service_unavailable')} artificial 503s, ${fake.callCount('b2_upload_file')} b2_upload_file, ${fake.callCount('b2_upload_part')} b2_upload_part`);

  // Straight from the fake's store, not through Nimbus: one version per file, the right bytes, nothing else.
  const expected = await treeDigest(source);
  const bucketId = fake.store.bucketByName(BUCKET)!.bucketId;
  const stored = fake.store.versions.get(bucketId)!;
  const versionsPerName = new Map<string, number>();
  for (const v of stored) versionsPerName.set(v.fileName, (versionsPerName.get(v.fileName) ?? 0) + 1);
  t.deepEqual([...versionsPerName.entries()].filter(([, n]) => n !== 1), [], 'no duplicate version from a retry');
  const contents = new Map(stored.map((v) => [v.fileName.slice('root/'.length), createHash('sha256').update(v.data).digest('hex')]));
  t.deepEqual(new Map([...contents].sort(([a], [b]) => (a < b ? -1 : 1))), expected, 'every file byte for byte, no extra file');
  t.is(fake.store.largeFiles.size, 0, 'no unfinished large file left');
  t.is(fake.errorCount('auth_token_limit'), 0, 'no upload URL was shared');
  const db = await recordedState(backup.dataDir);
  t.deepEqual(db.paths, [...expected.keys()].sort(), 'the cloud database records exactly the stored files');
  t.is(db.lastRun, 'completed');

  const rerun = await backup.run();
  t.is(rerun.counts.uploaded + rerun.counts.updated + rerun.counts.deleted, 0, 'an unchanged rerun transfers nothing');
  t.is(rerun.counts.unchanged, FILES + LARGE);
});
