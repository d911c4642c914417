import { makeTempDir, startFaultInjectionProxy, treeDigest, writeTree } from '@nimbus/testkit';
import test from 'ava';
import { join } from 'node:path';
import { runNimbus } from './support/cli.js';
import { writeProfile } from './support/profile-file.js';
import { TARGETS, type TargetName } from './support/targets.js';

const DOOMED = 'docs/doomed file.txt';

for (const name of Object.keys(TARGETS) as TargetName[]) {
  test(`${name}: a file the server always fails is reported with its reason; the others are backed up; exit 1 (CLI)`, async (t) => {
    const target = await TARGETS[name]('doomed');
    t.teardown(() => target.cleanup());
    const dir = await makeTempDir(`nimbus-doomed-${name}-`);
    t.teardown(dir.cleanup);
    const source = join(dir.path, 'source');
    const spec: Record<string, string> = { [DOOMED]: 'never arrives' };
    for (let i = 0; i < 20; i++) spec[`docs/ok ${i}.txt`] = `fine ${i}`;
    await writeTree(source, spec);
    const proxy = await startFaultInjectionProxy({ target: target.upstream, seed: 'doomed', dialect: target.dialect });
    t.teardown(proxy.close);
    // A 500, not a 503: S3 and Azure answer 503 as SlowDown / ServerBusy, a throttle that pauses
    // the whole run and is retried longer (see throttling.test.ts); this is a file that is broken.
    const rule = proxy.alwaysFail((r) => r.path === target.requestPath(DOOMED) && r.method === 'PUT', 'error-500');
    const profile = await writeProfile(dir.path, `doomed-${name}`, { source, destination: target.destination(proxy.endpoint) });

    const result = await runNimbus(['run', profile, '--json', '--data-dir', join(dir.path, 'data')], { timeoutMs: 150_000 });
    t.false(result.timedOut);
    t.is(result.code, 1, result.stderr);
    const report = JSON.parse(result.stdout);
    t.is(report.counts.uploaded, 20, 'the other files were backed up');
    t.is(report.failures.length, 1);
    t.is(report.failures[0].path, DOOMED);
    t.regex(report.failures[0].error, /500|Internal Server Error|InternalError/, 'the reason is given');
    t.true(rule.hits > 1, `the failing upload was retried (${rule.hits} attempts), and gave up`);
    const errorLines = result.stderr.split('\n').filter((l) => l.includes(DOOMED));
    t.true(errorLines.length >= 1, 'stderr names the file');
    t.false(/\n\s+at /.test(result.stderr), 'no stack trace');
    const expected = await treeDigest(source);
    expected.delete(DOOMED);
    t.deepEqual(await target.objects(), expected, 'the others are stored, the failed one is not');
    t.deepEqual(await target.leftovers(), []);
    t.log(`${name}: ${rule.hits} attempts in ${(result.ms / 1000).toFixed(1)} s; reported: ${report.failures[0].error}`);
  });
}
