import { makeTempDir, startFaultInjectionProxy, treeDigest, writeTree } from '@nimbus/testkit';
import test from 'ava';
import { join } from 'node:path';
import { recordedState } from './support/database.js';
import { inProcessBackup } from './support/in-process.js';
import { FAULT_RATES } from './support/fault-rates.js';
import { HEAVY } from './support/random.js';
import { sourceSpec } from './support/source-tree.js';
import { TARGETS, type TargetName } from './support/targets.js';

const FILES = HEAVY ? 2000 : 300;
// NIMBUS_FAULT_SEED varies where the faults land (the default seed is fixed, so CI is repeatable).
const LARGE = HEAVY ? 5 : 3;
const RATES = FAULT_RATES;

for (const [index, name] of (Object.keys(TARGETS) as TargetName[]).entries()) {
  test.serial(`${name}: a backup of ${FILES} files (+${LARGE} in parts) through 5% errors and 1% resets completes, exact, with no leftovers; an unchanged rerun sends nothing`, async (t) => {
    const target = await TARGETS[name]('faults');
    t.teardown(() => target.cleanup());
    const dir = await makeTempDir(`nimbus-faults-${name}-`);
    t.teardown(dir.cleanup);
    const source = join(dir.path, 'source');
    await writeTree(source, sourceSpec({ files: FILES, large: LARGE, seed: 100 + index }));
    const proxy = await startFaultInjectionProxy({ target: target.upstream, seed: `faults-${name}${process.env.NIMBUS_FAULT_SEED ?? ''}`, rates: RATES, dialect: target.dialect, retryAfterSeconds: 1, delayMs: 200 });
    t.teardown(proxy.close);
    // The seeded draws depend on the (random) bucket names, so a run may draw no reset at all:
    // one lost request and one lost answer are made certain, the rest is left to the rates.
    const root = target.requestPath('');
    const upload = (r: { method: string; path: string }) => r.method === 'PUT' && r.path.startsWith(root) && r.path.length > root.length;
    proxy.alwaysFail(upload, 'reset-request', 1);
    proxy.alwaysFail(upload, 'reset-response', 1);

    const backup = inProcessBackup({ dir: dir.path, source, destination: target.destination(proxy.endpoint) });
    const started = Date.now();
    const first = await backup.run();
    const seconds = (Date.now() - started) / 1000;
    t.deepEqual(first.failures, [], 'every file made it despite the faults');
    t.is(first.counts.uploaded, FILES + LARGE);
    t.is(first.exitCode, 0);
    const faults = { ...proxy.counts };
    const injectedTotal = Object.values(faults).reduce((a, b) => a + b, 0);
    t.log(`${name}: ${proxy.totals.requests} requests, ${injectedTotal} faults injected ${JSON.stringify(faults)}, first run ${seconds.toFixed(1)} s`);
    t.true(faults['error-500'] + faults['error-503'] + faults['throttle-429'] > 0 && faults['reset-request'] + faults['reset-response'] > 0, 'errors and resets were injected');

    // An independent client, straight to the server (not through the proxy, not through Nimbus).
    const stored = await target.objects();
    t.deepEqual(stored, await treeDigest(source), 'every object byte for byte, no extra or duplicate object');
    const leftovers = await target.leftovers();
    if (leftovers.length) t.log(`faults on part/segment requests: ${JSON.stringify(proxy.injected.filter((f) => /_segments|uploadId|blockid|\.Part\d/i.test(f.path)))}`);
    t.deepEqual(leftovers, [], 'no multipart upload, orphan segment or uncommitted blob left');
    const db = await recordedState(backup.dataDir);
    t.deepEqual(db.paths, [...stored.keys()].sort(), 'the cloud database records exactly the stored objects');
    t.is(db.lastRun, 'completed');

    proxy.resetCounts();
    const rerun = await backup.run();
    t.is(rerun.counts.uploaded + rerun.counts.updated + rerun.counts.deleted, 0, 'an unchanged rerun transfers nothing');
    t.is(rerun.counts.unchanged, FILES + LARGE);
    t.deepEqual(proxy.seen.filter((r) => r.path.startsWith(root)), [], 'and asks nothing about any file (only the connect-time check of the bucket/container)');
    t.true(proxy.totals.requests <= 3, `${proxy.totals.requests} requests on an unchanged rerun`);
  });
}
