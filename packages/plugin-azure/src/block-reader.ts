import type { Readable } from 'node:stream';

export interface Block {
  readonly data: Buffer;
  /** True for the final block (the body has ended). */
  readonly last: boolean;
}

/**
 * Cut a byte stream into blocks of exactly `blockSize` bytes (the last may be shorter or
 * empty), knowing for each whether it is the last. A full block is only released once a
 * further byte has arrived, so a body that fits one block is recognised as such; memory
 * held is at most one block plus one chunk of the stream.
 */
export async function* blocksOf(body: Readable, blockSize: number): AsyncGenerator<Block> {
  let chunks: Buffer[] = [];
  let held = 0;
  for await (const chunk of body) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    chunks.push(bytes);
    held += bytes.length;
    while (held > blockSize) {
      const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, held);
      yield { data: all.subarray(0, blockSize), last: false };
      chunks = [all.subarray(blockSize)];
      held -= blockSize;
    }
  }
  yield { data: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, held), last: true };
}
