import type { Readable } from 'node:stream';
import { ProviderError } from '../errors/nimbus-error.js';

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

/** A write's body, cut for a provider that sends small bodies whole and large ones in parts. */
export type SplitBody =
  | { readonly kind: 'single'; readonly data: Buffer }
  | { readonly kind: 'parts'; readonly parts: AsyncGenerator<Buffer>; consumed(): number };

/**
 * Read a write's body as parts of `sizeOf(n)` bytes, checking it against its declared size
 * (a body longer or shorter than declared rejects with ProviderError('conflict'), as the
 * contract says) and reporting progress. When the body fits in one part it comes back
 * whole (`single`: one request); otherwise as a stream of parts pulled with back-pressure.
 * Make part 1 as long as the single-request threshold to get that choice right.
 */
export async function splitBody(
  body: Readable,
  options: { path: string; size?: number; sizeOf: (partNumber: number) => number; onProgress?: (consumed: number) => void },
): Promise<SplitBody> {
  const known = options.size;
  let consumed = 0;
  const mismatch = (actual: string) => new ProviderError('conflict', `"${options.path}": expected ${known} bytes but the body had ${actual}`);
  const counted = async function* (): AsyncGenerator<Buffer> {
    for await (const part of bodyParts(body, options.sizeOf)) {
      consumed += part.length;
      if (known !== undefined && consumed > known) throw mismatch(`more than ${known}`);
      options.onProgress?.(consumed);
      yield part;
    }
    if (known !== undefined && consumed !== known) throw mismatch(String(consumed));
  };
  const parts = counted();
  const first = await parts.next();
  const second = first.done ? first : await parts.next();
  if (second.done) return { kind: 'single', data: first.done ? Buffer.alloc(0) : first.value };
  async function* all(): AsyncGenerator<Buffer> {
    yield first.value as Buffer;
    yield second.value as Buffer;
    yield* parts;
  }
  return { kind: 'parts', parts: all(), consumed: () => consumed };
}
