import test from 'ava';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { cutBody, isProviderError, splitBody, type BodyPart } from '@nimbus/kernel';

// The splitter copies chunks into part buffers and hashes them as they arrive; these check
// that the bytes and digests come out as if each part had been cut and hashed whole.

const bytes = (length: number, seed: number) => Buffer.from(Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff));
const md5 = (data: Buffer) => createHash('md5').update(data).digest();

async function collect(parts: AsyncIterable<BodyPart>): Promise<BodyPart[]> {
  const out: BodyPart[] = [];
  for await (const part of parts) out.push(part);
  return out;
}

function expectParts(t: import('ava').ExecutionContext, parts: BodyPart[], whole: Buffer, sizes: number[]) {
  t.deepEqual(parts.map((p) => p.data.length), sizes);
  let offset = 0;
  for (const part of parts) {
    const expected = whole.subarray(offset, offset + part.data.length);
    t.true(part.data.equals(expected), `bytes at ${offset}`);
    t.deepEqual(part.digest, md5(expected), `digest at ${offset}`);
    offset += part.data.length;
  }
}

test('chunks that straddle part boundaries: bytes and MD5 of every part as if cut whole', async (t) => {
  const chunks = Array.from({ length: 10 }, (_, i) => bytes(7, i));
  const whole = Buffer.concat(chunks);
  const parts = await collect(cutBody(Readable.from(chunks), (n) => (n === 1 ? 20 : 15), { digest: 'md5' }));
  expectParts(t, parts, whole, [20, 15, 15, 15, 5]);
});

test('a chunk longer than several parts is cut into them', async (t) => {
  const whole = bytes(100, 3);
  const parts = await collect(cutBody(Readable.from([whole.subarray(0, 5), whole.subarray(5)]), () => 30, { digest: 'md5' }));
  expectParts(t, parts, whole, [30, 30, 30, 10]);
});

test('unknown size: a part longer than the first allocation grows and keeps every byte', async (t) => {
  const chunks = Array.from({ length: 40 }, (_, i) => bytes(10_000, i));
  const whole = Buffer.concat(chunks);
  const parts = await collect(cutBody(Readable.from(chunks), () => 300_000, { digest: 'md5' }));
  expectParts(t, parts, whole, [300_000, 100_000]);
});

test('known size: a body longer than declared still comes out whole (splitBody rejects it)', async (t) => {
  const chunks = Array.from({ length: 6 }, (_, i) => bytes(10, i));
  const whole = Buffer.concat(chunks);
  const parts = await collect(cutBody(Readable.from(chunks), () => 25, { size: 32, digest: 'md5' }));
  expectParts(t, parts, whole, [25, 25, 10]);
  const error = await t.throwsAsync(async () => {
    const split = await splitBody(Readable.from(chunks), { path: 'f', size: 32, sizeOf: () => 25 });
    if (split.kind === 'parts') await collect(split.parts);
  });
  t.true(isProviderError(error, 'conflict'));
});

test('splitBody: a body within one part is single, with its digest; an empty one too', async (t) => {
  const data = bytes(50, 9);
  const single = await splitBody(Readable.from([data.subarray(0, 20), data.subarray(20)]), { path: 'f', size: 50, sizeOf: () => 64, digest: 'md5' });
  t.is(single.kind, 'single');
  if (single.kind === 'single') {
    t.true(single.data.equals(data));
    t.deepEqual(single.digest, md5(data));
  }
  const empty = await splitBody(Readable.from([]), { path: 'f', size: 0, sizeOf: () => 64, digest: 'md5' });
  t.deepEqual(empty.kind === 'single' ? [empty.data.length, empty.digest] : [], [0, md5(Buffer.alloc(0))]);
});

test('splitBody: parts come with digests and the count of bytes consumed', async (t) => {
  const chunks = Array.from({ length: 9 }, (_, i) => bytes(11, i));
  const whole = Buffer.concat(chunks);
  const split = await splitBody(Readable.from(chunks), { path: 'f', size: whole.length, sizeOf: () => 40, digest: 'md5' });
  t.is(split.kind, 'parts');
  if (split.kind !== 'parts') return;
  expectParts(t, await collect(split.parts), whole, [40, 40, 19]);
  t.is(split.consumed(), whole.length);
});

test('a released part buffer carries a later part; an unreleased one is never overwritten', async (t) => {
  // Parts above Buffer's pool size (4 KiB), so each has an ArrayBuffer of its own.
  const chunks = Array.from({ length: 12 }, (_, i) => bytes(3000, i));
  const whole = Buffer.concat(chunks);
  const parts: BodyPart[] = [];
  const copies: Buffer[] = [];
  for await (const part of cutBody(Readable.from(chunks), () => 7500, { digest: 'md5' })) {
    parts.push(part);
    copies.push(Buffer.from(part.data));
    if (parts.length === 1) part.release();
  }
  expectParts(t, parts.slice(1), whole.subarray(7500), [7500, 7500, 7500, 6000]);
  t.is(parts[1]!.data.buffer, parts[0]!.data.buffer, 'part 2 reuses the buffer of part 1');
  t.not(parts[2]!.data.buffer, parts[1]!.data.buffer, 'part 3 gets a new one');
  for (let i = 1; i < parts.length; i++) t.true(parts[i]!.data.equals(copies[i]!), `part ${i + 1} unchanged`);
});
