import { makeTempDir, startFaultInjectionProxy, treeDigest, writeTree } from '@nimbus/testkit';
import test from 'ava';
import { join } from 'node:path';
import { inProcessBackup } from './support/in-process.js';
import { TARGETS, type TargetName } from './support/targets.js';
import type { RequestFacts } from '@nimbus/testkit';

const MiB = 1024 * 1024;

/** The second part/segment/block upload of a file: what a lost answer hits. */
const SECOND_PART: Record<TargetName, (r: RequestFacts) => boolean> = {
  'swift-s3': (r) => r.method === 'PUT' && /[?&]partNumber=2(&|$)/.test(r.url),
  'swift-native': (r) => r.method === 'PUT' && /_segments\/.*\.Part2\.DO_NOT_REMOVE$/.test(r.path),
  azurite: (r) => r.method === 'PUT' && /[?&]comp=block(&|$)/.test(r.url) && /blockid=/.test(r.url),
};

// The nastiest network fault: the server stored a part, but its answer never arrived, so the
// client thinks it failed. Whatever is retried, nothing may be left behind.
for (const name of Object.keys(TARGETS) as TargetName[]) {
  test(`${name}: a part upload whose answer is lost (stored, then reset) leaves no orphan part once the file is backed up`, async (t) => {
    const target = await TARGETS[name]('lost');
    t.teardown(() => target.cleanup());
    const dir = await makeTempDir(`nimbus-lost-${name}-`);
    t.teardown(dir.cleanup);
    const source = join(dir.path, 'source');
    await writeTree(source, { 'big.bin': { size: 20 * MiB, seed: 'lost' }, 'small.txt': 'small' });
    const proxy = await startFaultInjectionProxy({ target: target.upstream, seed: 'lost', dialect: target.dialect });
    t.teardown(proxy.close);
    const rule = proxy.alwaysFail(SECOND_PART[name], 'reset-response', 1);

    const report = await inProcessBackup({ dir: dir.path, source, destination: target.destination(proxy.endpoint) }).run();
    t.is(rule.hits, 1, 'one part answer was lost');
    t.deepEqual(report.failures, []);
    t.deepEqual(await target.objects(), await treeDigest(source));
    t.deepEqual(await target.leftovers(), [], 'no orphan part, segment or uncommitted block');
  });
}
