import test from 'ava';
import { spawn } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudDatabase } from '@nimbus/kernel';
import { makeTempDir, treeDigest, writeTree, type TreeSpec } from '@nimbus/testkit';

const bin = fileURLToPath(new URL('./bin.js', import.meta.url));
const KILLS = 12;

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function runNimbus(args: string[], killAfterMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.resume();
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout });
    });
  });
}

async function filesBelow(root: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(root, prefix), { withFileTypes: true })) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await filesBelow(root, path)));
    else out.push(path);
  }
  return out;
}

test(`kill -9 at ${KILLS} random points of a multi-thousand-file backup; each rerun resumes; the end state is exact`, async (t) => {
  const dir = await makeTempDir('nimbus-crash-');
  t.teardown(dir.cleanup);
  const source = join(dir.path, 'source');
  const destination = join(dir.path, 'backup');
  const data = join(dir.path, 'data');
  const rand = random(20261126);
  const spec: Record<string, TreeSpec[string]> = {};
  for (let i = 0; i < 3000; i++) spec[`d${i % 30}/s${i % 7}/f${i}.txt`] = { size: 512 + Math.floor(rand() * 4096), seed: i };
  for (let i = 0; i < 40; i++) spec[`big/b${i}.bin`] = { size: 256 * 1024 + Math.floor(rand() * 768 * 1024), seed: `big${i}` };
  await writeTree(source, spec);
  const args = ['backup', source, `local:${destination}`, '--data-dir', data, '--json', '--transfers', '8'];

  const killedAt: number[] = [];
  // A run can finish before its kill point on a fast machine: then the span shrinks to what a
  // run takes and new files give the next run work to be killed in.
  let span = 2500;
  for (let attempt = 0; killedAt.length < KILLS && attempt < KILLS * 3; attempt++) {
    const delay = 250 + Math.floor(rand() * span);
    const started = Date.now();
    const result = await runNimbus(args, delay);
    if (result.signal === 'SIGKILL') killedAt.push(delay);
    else {
      span = Math.max(200, Math.min(span, Date.now() - started - 250));
      const more: Record<string, TreeSpec[string]> = {};
      for (let f = 0; f < 300; f++) more[`more-${attempt}/f${f}.txt`] = { size: 2048, seed: `m${attempt}-${f}` };
      await writeTree(source, more);
    }
    // Change the source between some crashes: the resumed run must pick that up too.
    if (attempt === 4) await writeFile(join(source, 'd1/s1/f1.txt'), 'changed between crashes');
  }
  t.true(killedAt.length >= KILLS, `killed ${killedAt.length} times (${killedAt.join(', ')} ms)`);

  const final = await runNimbus(args);
  t.is(final.code, 0, final.stdout);
  const again = JSON.parse((await runNimbus(args)).stdout);
  t.is(again.counts.uploaded + again.counts.updated + again.counts.deleted, 0, 'the run after recovery has nothing left to do');

  // $SBV$ holds the previous copy of the file changed between crashes (versioning).
  t.deepEqual(await treeDigest(destination, { filter: (p) => !p.startsWith('$SBV$/') }), await treeDigest(source), 'destination equals source');
  const onDisk = (await filesBelow(destination)).filter((p) => !p.startsWith('$SBV$/')).sort();
  t.false(onDisk.some((p) => p.split('/').pop()!.startsWith('.nimbus-partial-')), 'no partial upload left');

  // The cloud database describes exactly what is at the destination.
  const { readdirSync } = await import('node:fs');
  const [profile] = readdirSync(join(data, 'profiles'));
  const db = await CloudDatabase.open(join(data, 'profiles', profile!, 'cloud.sqlite'));
  const recorded: string[] = [];
  for await (const page of db.filesUnder('')) recorded.push(...page.map((r) => r.path));
  const runs = await db.lastRuns(1);
  await db.close();
  t.deepEqual(recorded.sort(), onDisk);
  t.is(runs[0]?.status, 'completed');
  t.log(`killed at ${killedAt.join(', ')} ms`);
});
