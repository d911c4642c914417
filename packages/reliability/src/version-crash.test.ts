import { makeTempDir, treeDigest, writeTree } from '@nimbus/testkit';
import test, { type ExecutionContext } from 'ava';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runNimbus } from './support/cli.js';
import { writeProfile } from './support/profile-file.js';
import { TARGETS } from './support/targets.js';

const MB = 1000 * 1000;
const VERSIONS_OF_BIG = '$SBV$/big.bin/';

/** Where the test looks: the profile's destination block, the stored objects, and a cheap listing to poll. */
interface Place {
  destination: Record<string, unknown>;
  objects(): Promise<Map<string, string>>;
  names(): Promise<string[]>;
}

async function localPlace(t: ExecutionContext): Promise<Place> {
  const dir = await makeTempDir('nimbus-version-crash-local-');
  t.teardown(dir.cleanup);
  return {
    destination: { provider: 'local', path: dir.path },
    objects: () => treeDigest(dir.path),
    names: async () => (await readdir(dir.path, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.path.length + 1)),
  };
}

const places: Record<string, (t: ExecutionContext) => Promise<Place>> = {
  local: localPlace,
  ...Object.fromEntries(
    Object.entries(TARGETS).map(([name, make]) => [
      name,
      async (t: ExecutionContext) => {
        const target = await make('vcrash');
        t.teardown(() => target.cleanup());
        return { destination: target.destination(), objects: () => target.objects(), names: () => target.names() };
      },
    ]),
  ),
};

// Every provider here keeps versions the kernel's way ($SBV$ copies): the copy is made before the
// new content goes up, so a kill during that upload leaves the copy made and the record unchanged.
for (const [name, place] of Object.entries(places)) {
  test.serial(`${name}: kills during the upload of a changed file (right after the copy, then twice later) leave its previous content kept once`, async (t) => {
    const where = await place(t);
    const dir = await makeTempDir(`nimbus-version-crash-${name}-`);
    t.teardown(dir.cleanup);
    const source = join(dir.path, 'source');
    const data = join(dir.path, 'data');
    await writeTree(source, { 'big.bin': { size: 8 * MB, seed: 'before' }, 'small.txt': 'small' });
    const profile = await writeProfile(dir.path, `vcrash-${name}`, { source, destination: where.destination, transfers: 2 });
    const args = ['run', profile, '--json', '--data-dir', data];
    t.is((await runNimbus(args)).code, 0);
    const before = (await treeDigest(source)).get('big.bin')!;
    await writeTree(source, { 'big.bin': { size: 30 * MB, seed: 'after' } });

    const copies = async () => (await where.names()).filter((n) => n.startsWith(VERSIONS_OF_BIG)).length;
    // Kill 1: as soon as the previous content's copy exists (the new content is going up).
    const first = await runNimbus(args, { killWhen: async () => (await copies()) > 0 });
    t.is(first.signal, 'SIGKILL', `the run was killed during its upload: ${first.stderr}`);
    t.is(await copies(), 1);
    // Kills 2 and 3: reruns killed a little and a while after the point the first one reached its copy.
    for (const extra of [150, 600]) {
      const rerun = await runNimbus(args, { killAfterMs: first.ms + extra });
      t.log(`${name}: rerun killed ${first.ms + extra} ms in: ${rerun.signal ?? `exit ${rerun.code}`}`);
    }
    for (const rerun of [await runNimbus(args), await runNimbus(args)]) t.is(rerun.code, 0, rerun.stderr);

    const stored = await where.objects();
    const kept = [...stored].filter(([k]) => k.startsWith(VERSIONS_OF_BIG));
    t.is(kept.length, 1, `the previous content is kept once: ${kept.map(([k]) => k).join(', ')}`);
    t.is(kept[0]?.[1], before, 'and it is the previous content');
    t.deepEqual(new Map([...stored].filter(([k]) => !k.startsWith('$SBV$/'))), await treeDigest(source), 'the destination equals the source');
  });
}
