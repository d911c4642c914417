import test from 'ava';
import { Readable } from 'node:stream';
import { ChunkReader } from './chunk-reader.js';

// Segments are copied into buffers the reader can recycle; a recycled buffer must carry the
// next segment's bytes exactly, and the source's own chunks must never be written into.

const bytes = (length: number, seed: number) => Buffer.from(Array.from({ length }, (_, i) => (i * 29 + seed) & 0xff));

test('reads of a size across chunks: bytes in order, recycled buffers reused, the last read shorter', async (t) => {
  const chunks = Array.from({ length: 10 }, (_, i) => bytes(3000, i));
  const whole = Buffer.concat(chunks);
  const reader = new ChunkReader(Readable.from(chunks));
  const reads: Buffer[] = [];
  for (;;) {
    const data = await reader.read(7000);
    if (data.length === 0) break;
    t.true(data.equals(whole.subarray(reads.reduce((n, r) => n + r.length, 0), reads.reduce((n, r) => n + r.length, 0) + data.length)));
    reads.push(Buffer.from(data));
    if (reads.length === 1) {
      reader.recycle(data);
      const next = await reader.read(7000);
      t.is(next.buffer, data.buffer, 'the recycled buffer carries the next read');
      t.true(next.equals(whole.subarray(7000, 14000)));
      reads.push(Buffer.from(next));
    }
  }
  t.deepEqual(reads.map((r) => r.length), [7000, 7000, 7000, 7000, 2000]);
  t.is(reader.consumed, whole.length);
});

test('the source\'s own chunks are never recycled, so never overwritten', async (t) => {
  const chunks = [bytes(5000, 1), bytes(5000, 2), bytes(2500, 3), bytes(2500, 4)];
  const originals = chunks.map((c) => Buffer.from(c));
  const reader = new ChunkReader(Readable.from(chunks));
  const first = await reader.read(5000);
  t.is(first.buffer, chunks[0]!.buffer, 'a whole chunk is handed on without a copy');
  reader.recycle(first);
  await reader.read(5000);
  await reader.read(5000);
  chunks.forEach((c, i) => t.true(c.equals(originals[i]!), `chunk ${i + 1} intact`));
});

test('unread bytes come back first, from a head read as large as a segment', async (t) => {
  const chunks = Array.from({ length: 5 }, (_, i) => bytes(3000, i));
  const whole = Buffer.concat(chunks);
  const reader = new ChunkReader(Readable.from(chunks));
  const head = await reader.read(9000);
  reader.unread(head);
  const again = await reader.read(9000);
  t.is(again, head, 'the head itself, so it can be recycled too');
  reader.recycle(again);
  const rest = await reader.read(9000);
  t.true(rest.equals(whole.subarray(9000)));
});
