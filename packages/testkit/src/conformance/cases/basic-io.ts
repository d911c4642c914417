import type { ConformanceCase } from '../conformance-case.js';
import { assertNotFound, assertResolvesOrNotFound, listAll, readBuffer, readText, writeData } from '../io-helpers.js';

export const basicIoCases: ConformanceCase[] = [
  {
    title: 'write then read returns the same bytes; write, stat and list report the size',
    async run(t, provider) {
      const content = 'hello, nimbus\nsecond line\n';
      const size = Buffer.byteLength(content);
      const written = await writeData(provider, 'hello.txt', content);
      t.like(written, { path: 'hello.txt', kind: 'file', size }, 'the entry write resolves with');
      t.is(await readText(provider, 'hello.txt'), content);
      t.like(await provider.stat('hello.txt'), { path: 'hello.txt', kind: 'file', size }, 'stat');
      const { entries } = await listAll(provider, '');
      t.like(entries.find((e) => e.path === 'hello.txt'), { kind: 'file', size }, 'the listed entry');
    },
  },
  {
    title: 'overwriting replaces the whole content (longer, then shorter)',
    async run(t, provider) {
      await writeData(provider, 'doc.txt', 'first version');
      await writeData(provider, 'doc.txt', 'a longer second version of the text');
      t.is(await readText(provider, 'doc.txt'), 'a longer second version of the text');
      await writeData(provider, 'doc.txt', 'short');
      t.is(await readText(provider, 'doc.txt'), 'short', 'no bytes of the longer version may remain');
      t.is((await provider.stat('doc.txt'))?.size, 5);
      const { entries } = await listAll(provider, '');
      t.is(entries.filter((e) => e.path === 'doc.txt').length, 1, 'an overwritten object is listed once');
    },
  },
  {
    title: 'delete removes the object; deleting a missing object is not an error',
    async run(t, provider) {
      await writeData(provider, 'gone.txt', 'bye');
      await writeData(provider, 'stays.txt', 'still here');
      await provider.delete('gone.txt');
      t.is(await provider.stat('gone.txt'), undefined);
      const { entries } = await listAll(provider, '', { recursive: true });
      t.deepEqual(entries.map((e) => e.path), ['stays.txt']);
      await assertNotFound(t, provider.read('gone.txt'), 'read of a deleted object');
      await assertResolvesOrNotFound(t, provider.delete('gone.txt'), 'deleting it again');
      await assertResolvesOrNotFound(t, provider.delete('never/was.txt'), 'deleting a path that never existed');
      t.is(await readText(provider, 'stays.txt'), 'still here');
    },
  },
  {
    title: 'stat of a missing object resolves undefined',
    async run(t, provider) {
      t.is(await provider.stat('missing.txt'), undefined);
      t.is(await provider.stat('no/such/folder/missing.txt'), undefined);
    },
  },
  {
    title: "read of a missing object rejects with ProviderError('not-found')",
    async run(t, provider) {
      await assertNotFound(t, provider.read('missing.txt'), 'read of a missing object');
      await assertNotFound(t, provider.read('no/such/folder/missing.txt'), 'read below a missing folder');
    },
  },
  {
    title: 'an empty (0-byte) file round-trips',
    async run(t, provider) {
      t.like(await writeData(provider, 'empty.txt', ''), { path: 'empty.txt', kind: 'file', size: 0 });
      t.like(await provider.stat('empty.txt'), { kind: 'file', size: 0 });
      t.is((await readBuffer(await provider.read('empty.txt'))).length, 0);
      const { entries } = await listAll(provider, '');
      t.like(entries.find((e) => e.path === 'empty.txt'), { kind: 'file', size: 0 });
    },
  },
  {
    title: 'byte-range reads return the inclusive range',
    async run(t, provider) {
      const content = 'abcdefghijklmnopqrstuvwxyz0123456789';
      await writeData(provider, 'alphabet.txt', content);
      t.is(await readText(provider, 'alphabet.txt', { range: { start: 0, end: 0 } }), 'a');
      t.is(await readText(provider, 'alphabet.txt', { range: { start: 3, end: 7 } }), 'defgh');
      t.is(await readText(provider, 'alphabet.txt', { range: { start: 30 } }), '456789', 'no end: to the end');
      t.is(await readText(provider, 'alphabet.txt', { range: { start: 0, end: content.length - 1 } }), content);
    },
  },
];
