import test from 'ava';
import { mkdir, writeFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { harness, transferred } from './harness.js';

const FILES = 10_000;

test(`${FILES} files: full backup, unchanged rerun transfers 0, one change transfers exactly 1`, async (t) => {
  const h = await harness(t);
  const when = new Date('2022-01-01T00:00:00Z');
  for (let d = 0; d < 100; d++) {
    const dir = join(h.source, `dir-${d % 10}`, `sub-${d}`);
    await mkdir(dir, { recursive: true });
    await Promise.all(
      Array.from({ length: FILES / 100 }, async (_, i) => {
        const file = join(dir, `file-${i}.txt`);
        await writeFile(file, `content of ${d}/${i}\n`);
        await utimes(file, when, when);
      }),
    );
  }
  const first = await h.run({ profile: { transfers: 8 } });
  t.is(first.exitCode, 0);
  t.is(first.counts.uploaded, FILES);
  const second = await h.run({ profile: { transfers: 8 } });
  t.is(transferred(second), 0);
  t.is(second.counts.unchanged, FILES);
  await writeFile(join(h.source, 'dir-3', 'sub-53', 'file-7.txt'), 'changed\n');
  const third = await h.run({ profile: { transfers: 8 } });
  t.is(transferred(third), 1);
  t.is(third.counts.unchanged, FILES - 1);
  t.log(`first ${first.durationMs} ms, unchanged rerun ${second.durationMs} ms, one change ${third.durationMs} ms`);
});
