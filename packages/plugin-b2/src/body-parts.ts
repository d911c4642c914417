import type { Readable } from 'node:stream';

/**
 * Cut a byte stream into Buffers whose sizes `sizeOf(partNumber)` decides (the last one may
 * be shorter). Only one part (plus one incoming chunk) is held at a time; the caller pulls
 * the next part when it has room for it, which is the back-pressure on the source.
 */
export async function* bodyParts(body: Readable, sizeOf: (partNumber: number) => number): AsyncGenerator<Buffer> {
  let partNumber = 1;
  let target = sizeOf(partNumber);
  let chunks: Buffer[] = [];
  let held = 0;
  for await (const raw of body) {
    let chunk = typeof raw === 'string' ? Buffer.from(raw) : (raw as Buffer);
    while (held + chunk.length >= target) {
      const take = target - held;
      chunks.push(chunk.subarray(0, take));
      chunk = chunk.subarray(take);
      yield chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, target);
      chunks = [];
      held = 0;
      target = sizeOf(++partNumber);
    }
    if (chunk.length) {
      chunks.push(chunk);
      held += chunk.length;
    }
  }
  if (held > 0) yield Buffer.concat(chunks, held);
}
