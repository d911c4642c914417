import type { StorageProvider } from '@nimbus/kernel';
import type { ExecutionContext } from 'ava';
import { needsOperations, type ConformanceCase } from '../conformance-case.js';
import { listAll, readText, writeData } from '../io-helpers.js';

/** A past time with a millisecond part, so truncation to seconds shows. */
const PAST = Date.UTC(2020, 0, 2, 3, 4, 5, 678);
const LATER_PAST = Date.UTC(2021, 5, 6, 7, 8, 9, 123);
/** How far a remote clock may be from ours when an object carries its upload time. */
const CLOCK_SKEW_MS = 15 * 60 * 1000;

function assertNear(t: ExecutionContext<unknown>, actual: number | undefined, expected: number, precisionMs: number, what: string): void {
  t.true(
    actual !== undefined && Math.abs(actual - expected) <= precisionMs,
    `${what}: expected ${new Date(expected).toISOString()} within ${precisionMs} ms, got ${actual === undefined ? 'none' : new Date(actual).toISOString()}`,
  );
}

export const mtimeCases: ConformanceCase[] = [
  {
    title: 'an mtime given to write reads back within precisionMs',
    skipUnless: (p) => (p.capabilities.mtime.support === 'none' ? 'mtime support is none' : undefined),
    async run(t, provider) {
      const precision = provider.capabilities.mtime.precisionMs;
      const entry = await writeData(provider, 'dated.txt', 'x', { mtime: PAST });
      assertNear(t, entry.mtime, PAST, precision, 'the entry write resolves with');
      assertNear(t, (await provider.stat('dated.txt'))?.mtime, PAST, precision, 'stat');
      const listed = (await listAll(provider, '')).entries.find((e) => e.path === 'dated.txt');
      assertNear(t, listed?.mtime, PAST, precision, 'list');
    },
  },
  {
    title: 'setMtime changes the mtime and keeps the content',
    skipUnless: needsOperations('setMtime'),
    async run(t, provider) {
      const p = provider as StorageProvider & Required<Pick<StorageProvider, 'setMtime'>>;
      await writeData(p, 'touched.txt', 'unchanged', { mtime: PAST });
      await p.setMtime('touched.txt', LATER_PAST);
      assertNear(t, (await p.stat('touched.txt'))?.mtime, LATER_PAST, p.capabilities.mtime.precisionMs, 'stat after setMtime');
      t.is(await readText(p, 'touched.txt'), 'unchanged');
    },
  },
  {
    title: 'without mtime support, objects carry their upload time, not the given mtime',
    skipUnless: (p) => (p.capabilities.mtime.support === 'none' ? undefined : 'mtime can be set'),
    async run(t, provider) {
      const before = Date.now();
      await writeData(provider, 'stamped.txt', 'x', { mtime: PAST });
      const after = Date.now();
      const mtime = (await provider.stat('stamped.txt'))?.mtime;
      if (mtime === undefined) {
        t.pass('the provider reports no time at all, which the kernel handles');
        return;
      }
      const slack = provider.capabilities.mtime.precisionMs + CLOCK_SKEW_MS;
      t.true(mtime >= before - slack && mtime <= after + slack, `expected the upload time, got ${new Date(mtime).toISOString()}`);
    },
  },
];
