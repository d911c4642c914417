import type { StorageProvider } from '@nimbus/kernel';
import { needsOperations, type ConformanceCase } from '../conformance-case.js';
import { assertNotFound, readText, writeData } from '../io-helpers.js';

export const serverSideCases: ConformanceCase[] = [
  {
    title: 'copy duplicates an object (new folders, over an existing one) and keeps the source',
    skipUnless: needsOperations('copy'),
    async run(t, provider) {
      const p = provider as StorageProvider & Required<Pick<StorageProvider, 'copy'>>;
      await writeData(p, 'source.txt', 'copy me');
      t.like(await p.copy('source.txt', 'copies/deep/dest.txt'), { path: 'copies/deep/dest.txt', kind: 'file', size: 7 });
      t.is(await readText(p, 'copies/deep/dest.txt'), 'copy me');
      t.is(await readText(p, 'source.txt'), 'copy me', 'the source is kept');
      await writeData(p, 'existing.txt', 'to be replaced by the copy');
      await p.copy('source.txt', 'existing.txt');
      t.is(await readText(p, 'existing.txt'), 'copy me', 'copy replaces an existing destination');
      await assertNotFound(t, p.copy('missing.txt', 'anywhere.txt'), 'copy of a missing source');
    },
  },
  {
    title: 'move renames an object (new folders, over an existing one) and removes the source',
    skipUnless: needsOperations('move'),
    async run(t, provider) {
      const p = provider as StorageProvider & Required<Pick<StorageProvider, 'move'>>;
      await writeData(p, 'source.txt', 'move me');
      t.like(await p.move('source.txt', 'moved/deep/dest.txt'), { path: 'moved/deep/dest.txt', kind: 'file', size: 7 });
      t.is(await readText(p, 'moved/deep/dest.txt'), 'move me');
      t.is(await p.stat('source.txt'), undefined, 'the source is gone');
      await writeData(p, 'existing.txt', 'to be replaced by the move');
      await p.move('moved/deep/dest.txt', 'existing.txt');
      t.is(await readText(p, 'existing.txt'), 'move me', 'move replaces an existing destination');
      await assertNotFound(t, p.move('missing.txt', 'anywhere.txt'), 'move of a missing source');
    },
  },
];
