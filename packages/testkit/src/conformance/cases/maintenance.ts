import type { StorageProvider } from '@nimbus/kernel';
import { needsOperations, type ConformanceCase } from '../conformance-case.js';
import { bodyFailingAfter } from '../failing-bodies.js';
import { readText, writeData } from '../io-helpers.js';

export const maintenanceCases: ConformanceCase[] = [
  {
    title: 'cleanupIncomplete returns a count and leaves complete objects alone',
    skipUnless: needsOperations('cleanupIncomplete'),
    async run(t, provider) {
      const p = provider as StorageProvider & Required<Pick<StorageProvider, 'cleanupIncomplete'>>;
      await writeData(p, 'done/complete.txt', 'complete');
      await p.write('done/broken.bin', bodyFailingAfter(64 * 1024)).catch(() => undefined);
      const removed = await p.cleanupIncomplete();
      t.true(Number.isSafeInteger(removed) && removed >= 0, `cleanupIncomplete must return a count, got ${removed}`);
      t.is(await readText(p, 'done/complete.txt'), 'complete');
      t.is(await p.stat('done/broken.bin'), undefined);
    },
  },
];
