import { makeTempDir } from '@nimbus/testkit';
import test, { type ExecutionContext } from 'ava';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { isProviderError } from '@nimbus/kernel';
import { BUFFERED_WRITE_MAX, writeAtomically } from './atomic-write.js';

// Bodies of a known small size are gathered in memory and written with one call: these
// check that this path keeps the streamed path's promises (atomic, sized, abortable, clean).

async function folder(t: ExecutionContext): Promise<string> {
  const dir = await makeTempDir('nimbus-atomic-');
  t.teardown(dir.cleanup);
  return dir.path;
}

/** `count` chunks of `size` bytes, one every few milliseconds. */
function slowChunks(count: number, size: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent === count) return void this.push(null);
      setTimeout(() => {
        if (this.destroyed) return;
        sent++;
        this.push(Buffer.alloc(size, sent));
      }, 5);
    },
  });
}

test('a small body in several chunks is written whole, with mtime and progress', async (t) => {
  const dir = await folder(t);
  const target = join(dir, 'file.bin');
  const mtime = Date.UTC(2020, 1, 2, 3, 4, 5, 6);
  const progress: number[] = [];
  const written = await writeAtomically(target, slowChunks(3, 1000), { size: 3000, mtime, onProgress: (n) => progress.push(n) });
  t.is(written, 3000);
  t.deepEqual(await readFile(target), Buffer.concat([Buffer.alloc(1000, 1), Buffer.alloc(1000, 2), Buffer.alloc(1000, 3)]));
  t.is(Math.round((await stat(target)).mtimeMs), mtime);
  t.deepEqual(progress, [1000, 2000, 3000]);
  t.deepEqual(await readdir(dir), ['file.bin']);
});

test('a small body longer than announced is refused and leaves nothing', async (t) => {
  const dir = await folder(t);
  const error = await t.throwsAsync(writeAtomically(join(dir, 'long.bin'), slowChunks(3, 1000), { size: 1500 }));
  t.true(isProviderError(error, 'conflict'), String(error));
  t.deepEqual(await readdir(dir), []);
});

test('a small body aborted while it arrives rejects with AbortError and leaves nothing', async (t) => {
  const dir = await folder(t);
  const controller = new AbortController();
  const write = writeAtomically(join(dir, 'aborted.bin'), slowChunks(100, 1000), {
    size: 100_000,
    signal: controller.signal,
    onProgress: (n) => n >= 2000 && controller.abort(),
  });
  const error = await t.throwsAsync(write);
  t.is(error?.name, 'AbortError');
  t.deepEqual(await readdir(dir), []);
});

test('a small body with an already-aborted signal is not written', async (t) => {
  const dir = await folder(t);
  const error = await t.throwsAsync(writeAtomically(join(dir, 'never.bin'), Readable.from([Buffer.from('x')]), { size: 1, signal: AbortSignal.abort() }));
  t.is(error?.name, 'AbortError');
  t.deepEqual(await readdir(dir), []);
});

test('a small body destroyed without an error is refused, not stored short', async (t) => {
  const dir = await folder(t);
  const body = slowChunks(10, 1000);
  body.once('data', () => body.destroy());
  await t.throwsAsync(writeAtomically(join(dir, 'cut.bin'), body, { size: 10_000 }));
  t.deepEqual(await readdir(dir), []);
});

test('a body announced above the buffered limit is streamed and written whole', async (t) => {
  const dir = await folder(t);
  const target = join(dir, 'big.bin');
  const size = BUFFERED_WRITE_MAX + 1000;
  const written = await writeAtomically(target, Readable.from([Buffer.alloc(BUFFERED_WRITE_MAX, 7), Buffer.alloc(1000, 8)]), { size });
  t.is(written, size);
  t.is((await stat(target)).size, size);
});
