import { makeTempDir, treeDigest, writeTree } from '@nimbus/testkit';
import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runNimbus } from './support/cli.js';
import { recordedState } from './support/database.js';
import { writeProfile } from './support/profile-file.js';
import { HEAVY, seededRandom } from './support/random.js';
import { sourceSpec } from './support/source-tree.js';
import { TARGETS, type TargetName } from './support/targets.js';

const KILLS = HEAVY ? 20 : 5;
const FILES = HEAVY ? 1200 : 400;

for (const [index, name] of (Object.keys(TARGETS) as TargetName[]).entries()) {
  test.serial(`${name}: kill -9 at ${KILLS} seeded random points of a CLI backup; after reruns the destination equals the source, the database matches, nothing is left over`, async (t) => {
    const target = await TARGETS[name]('crash');
    t.teardown(() => target.cleanup());
    const dir = await makeTempDir(`nimbus-crash-${name}-`);
    t.teardown(dir.cleanup);
    const source = join(dir.path, 'source');
    const data = join(dir.path, 'data');
    await writeTree(source, sourceSpec({ files: FILES, large: 3, seed: 200 + index }));
    const profile = await writeProfile(dir.path, `crash-${name}`, { source, destination: target.destination(), transfers: 8 });
    const args = ['run', profile, '--json', '--data-dir', data];
    const rand = seededRandom(4242 + index);

    const killedAt: number[] = [];
    const finishedBeforeKill: number[] = [];
    // Kill points spread over start-up, listing, uploads and the end. A fast server can finish a
    // run before its point: then the span shrinks to what a run takes, and new files give the
    // next run work to be killed in (new files: no versions expected for them).
    let span = 5000;
    for (let attempt = 0; killedAt.length < KILLS && attempt < KILLS * 3; attempt++) {
      const delay = 300 + Math.floor(rand() * span);
      const started = Date.now();
      const result = await runNimbus(args, { killAfterMs: delay });
      if (result.signal === 'SIGKILL') killedAt.push(delay);
      else {
        finishedBeforeKill.push(delay);
        t.is(result.code, 0, `a run that finished before its kill point succeeded: ${result.stderr}`);
        span = Math.max(200, Math.min(span, Date.now() - started - 300));
        const more: Record<string, string> = {};
        for (let f = 0; f < 80; f++) more[`more-${attempt}/f${f}.txt`] = `added after run ${attempt}, file ${f}\n`.repeat(20);
        await writeTree(source, more);
      }
      // Change the source between some crashes: the resumed runs must pick that up too.
      if (attempt === 1) await writeFile(join(source, 'd1/ü-ñ/s1/f1.txt'), 'changed between crashes');
      if (attempt === 2) await writeFile(join(source, 'new-after-crash.txt'), 'new between crashes');
    }
    t.log(`${name}: killed at ${killedAt.join(', ')} ms; ${finishedBeforeKill.length} runs finished before their kill point`);
    t.true(killedAt.length >= KILLS, `${KILLS} runs were really killed (${killedAt.length})`);

    const final = await runNimbus(args);
    t.is(final.code, 0, final.stderr);
    const again = JSON.parse((await runNimbus(args)).stdout);
    t.is(again.counts.uploaded + again.counts.updated + again.counts.deleted, 0, 'the run after recovery has nothing left to do');

    const all = await target.objects();
    // $SBV$/ holds previous copies (the kernel's versioning); everything else must be the source.
    const versions = [...all.keys()].filter((k) => k.startsWith('$SBV$/'));
    const stored = new Map([...all].filter(([k]) => !k.startsWith('$SBV$/')));
    t.deepEqual(stored, await treeDigest(source), 'the destination equals the source (read by an independent client)');
    t.log(`${name}: ${versions.length} previous copies kept in $SBV$ after the crashes`);
    t.deepEqual(
      [...new Set(versions.map((v) => v.slice('$SBV$/'.length).replace(/\/[^/]+$/, '')))].filter((p) => p !== 'd1/ü-ñ/s1/f1.txt'),
      [],
      'crash recovery keeps no copy of a file that never changed (only the file changed between crashes may have one)',
    );
    const copiesOfChanged = versions.filter((v) => v.startsWith('$SBV$/d1/ü-ñ/s1/f1.txt/')).length;
    t.true(copiesOfChanged <= 1, `the changed file's previous content is kept at most once, however many runs were killed (${copiesOfChanged})`);
    t.deepEqual(await target.leftovers(), [], 'no multipart upload, orphan segment or uncommitted blob remains');
    const db = await recordedState(data);
    t.deepEqual(db.paths, [...stored.keys()].sort(), 'the cloud database records exactly the stored objects');
    t.is(db.lastRun, 'completed');
  });
}
