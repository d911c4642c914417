import { makeTempDir, startFaultInjectionProxy, treeDigest, writeTree } from '@nimbus/testkit';
import test from 'ava';
import { join } from 'node:path';
import { recordedState } from './support/database.js';
import { inProcessBackup } from './support/in-process.js';
import { sourceSpec } from './support/source-tree.js';
import { swiftS3Target } from './support/targets.js';

const FILES = 2000;
const TRANSFERS = 8;
const RETRY_AFTER_SECONDS = 2;

test(`a backup of ${FILES} files through 429s with Retry-After: ${RETRY_AFTER_SECONDS} loses nothing, and the whole run waits out each 429`, async (t) => {
  // 2,000 uploads to a server shared with other suites, plus the throttle pauses: minutes.
  t.timeout(10 * 60_000);
  const target = await swiftS3Target('throttle');
  t.teardown(() => target.cleanup());
  const dir = await makeTempDir('nimbus-throttle-');
  t.teardown(dir.cleanup);
  const source = join(dir.path, 'source');
  await writeTree(source, sourceSpec({ files: FILES, large: 0, seed: 429 }));
  // 1% of requests answered 429 with an S3 SlowDown body and Retry-After, as a rate-limited account sees.
  const proxy = await startFaultInjectionProxy({
    target: target.upstream,
    seed: `throttle${process.env.NIMBUS_FAULT_SEED ?? ''}`,
    rates: { 'throttle-429': 0.01 },
    dialect: 's3',
    retryAfterSeconds: RETRY_AFTER_SECONDS,
  });
  t.teardown(proxy.close);
  const root = target.requestPath('');
  // A throttle on the very first upload is made certain; the rest is left to the rate.
  proxy.alwaysFail((r) => r.method === 'PUT' && r.path.startsWith(root) && r.path.length > root.length, 'throttle-429', 1);

  const backup = inProcessBackup({ dir: dir.path, source, destination: target.destination(proxy.endpoint), transfers: TRANSFERS });
  const report = await backup.run();
  t.deepEqual(report.failures, [], 'every file made it despite the throttling');
  t.is(report.counts.uploaded, FILES);
  t.is(report.exitCode, 0);

  // An independent client, straight to the server: every object byte for byte, nothing extra.
  t.deepEqual(await target.objects(), await treeDigest(source));
  const db = await recordedState(backup.dataDir);
  t.is(db.paths.length, FILES, 'the cloud database records every object');
  t.is(db.lastRun, 'completed');

  // The run backs off as a whole: after each 429, only requests already in flight (at most one
  // per transfer) reach the server before the Retry-After has passed.
  const throttles = proxy.injected.filter((f) => f.kind === 'throttle-429');
  t.true(throttles.length >= 1, 'throttles were injected');
  const windowMs = RETRY_AFTER_SECONDS * 1000;
  const crowded = throttles
    .map((f) => ({ at: f.at, arrived: proxy.seen.filter((r) => r.at > f.at && r.at < f.at + windowMs).length }))
    .filter((w) => w.arrived > TRANSFERS);
  t.log(`${proxy.totals.requests} requests, ${throttles.length} answered 429`);
  t.deepEqual(crowded, [], `at most ${TRANSFERS} requests within ${RETRY_AFTER_SECONDS} s of any 429`);
});
