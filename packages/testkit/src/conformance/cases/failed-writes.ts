import type { StorageProvider } from '@nimbus/kernel';
import type { ExecutionContext } from 'ava';
import type { ConformanceCase } from '../conformance-case.js';
import { bodyFailingAfter, tricklingBody } from '../failing-bodies.js';
import { bodyOf, listAll, readText, writeData } from '../io-helpers.js';

/** How long a provider may take to give up on an aborted or failed upload. */
const GIVE_UP_MS = 15_000;

async function assertRejects(t: ExecutionContext<unknown>, promise: Promise<unknown>, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), GIVE_UP_MS)));
  const outcome = await Promise.race([
    promise.then(
      () => 'resolved' as const,
      () => 'rejected' as const,
    ),
    timeout,
  ]);
  clearTimeout(timer);
  t.is(outcome, 'rejected', `${what} must reject (within ${GIVE_UP_MS / 1000} s)`);
}

/** Nothing but `expected` is visible anywhere: no partial object, no temporary leftovers. */
async function assertOnlyFiles(t: ExecutionContext<unknown>, provider: StorageProvider, expected: string[]): Promise<void> {
  const { entries } = await listAll(provider, '', { recursive: true });
  t.deepEqual(entries.filter((e) => e.kind === 'file').map((e) => e.path).sort(), expected, 'visible objects after the failed write');
}

export const failedWriteCases: ConformanceCase[] = [
  {
    title: 'a write whose body fails midway leaves nothing at a new path',
    async run(t, provider) {
      await assertRejects(t, provider.write('new.bin', bodyFailingAfter(256 * 1024), { size: 1024 * 1024 }), 'the write');
      t.is(await provider.stat('new.bin'), undefined);
      await assertOnlyFiles(t, provider, []);
    },
  },
  {
    title: 'a write whose body fails midway keeps the earlier object intact',
    async run(t, provider) {
      await writeData(provider, 'keep.txt', 'original');
      await assertRejects(t, provider.write('keep.txt', bodyFailingAfter(256 * 1024), { size: 1024 * 1024 }), 'the write');
      t.is(await readText(provider, 'keep.txt'), 'original');
      t.is((await provider.stat('keep.txt'))?.size, 8);
      await assertOnlyFiles(t, provider, ['keep.txt']);
    },
  },
  {
    title: 'an aborted write rejects and keeps the earlier object intact',
    async run(t, provider) {
      await writeData(provider, 'keep.txt', 'original');
      const controller = new AbortController();
      // Abort while the provider is still pulling the body (256 KiB in, of 8 MiB), so the
      // upload is really in flight whatever the machine's speed; a provider that reports
      // progress earlier gets its abort then.
      const abortSoon = () => {
        if (!controller.signal.aborted) setTimeout(() => controller.abort(), 20);
      };
      const body = tricklingBody(undefined, (sent) => {
        if (sent >= 256 * 1024) abortSoon();
      });
      const write = provider.write('keep.txt', body, { signal: controller.signal, onProgress: abortSoon });
      await assertRejects(t, write, 'the aborted write');
      t.is(await readText(provider, 'keep.txt'), 'original');
      await assertOnlyFiles(t, provider, ['keep.txt']);
    },
  },
  {
    title: 'a write given an already-aborted signal rejects and stores nothing',
    async run(t, provider) {
      await assertRejects(t, provider.write('never.txt', bodyOf('never stored'), { signal: AbortSignal.abort() }), 'the write');
      t.is(await provider.stat('never.txt'), undefined);
      await assertOnlyFiles(t, provider, []);
    },
  },
];
