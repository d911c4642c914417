import { createHash, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ProviderError } from '../errors/nimbus-error.js';

/** One part of a body: its bytes and, when one was asked for, their digest. */
export interface BodyPart {
  readonly data: Buffer;
  /** Digest of `data` by the algorithm asked for (e.g. 'md5', 'sha1'), computed as the bytes arrived. */
  readonly digest?: Buffer;
  /**
   * Hands the part's buffer back to the splitter for a later part. Call it only once the
   * bytes are no longer needed (sent and acknowledged) and nothing else holds them; a part
   * never released is simply garbage-collected. Reuse spares allocating a new part-sized
   * buffer per part, each of which counts towards V8's external-memory limit and so brings
   * a full garbage collection every few parts.
   */
  release(): void;
}

export interface BodyPartOptions {
  /** Bytes the body should have, when known: parts are allocated no larger than what remains. */
  readonly size?: number;
  /** A node:crypto hash name: each part comes with its digest. */
  readonly digest?: string;
}

/** First allocation for a part whose length is not known yet: small bodies stay small. */
const FIRST_CAPACITY = 64 * 1024;

/**
 * Cut a byte stream into parts whose sizes `sizeOf(partNumber)` decides (the last one may
 * be shorter), hashing each part's bytes while they are still in cache when asked. Each
 * part's bytes are copied once, into one buffer of the part's size (a chunk holding a whole
 * part is passed on without a copy), rather than gathered as a list of chunks and
 * concatenated: half the copies, and one allocation per part rather than two. Only one
 * part (plus one incoming chunk) is held at a time; the caller pulls the next part when it
 * has room for it, which is the back-pressure on the source.
 */
export async function* cutBody(body: Readable, sizeOf: (partNumber: number) => number, options: BodyPartOptions = {}): AsyncGenerator<BodyPart> {
  const newHash = (): Hash | undefined => (options.digest !== undefined ? createHash(options.digest) : undefined);
  let partNumber = 1;
  let target = sizeOf(partNumber);
  let taken = 0; // bytes of the body in earlier parts
  let part: Buffer | undefined;
  let held = 0;
  let hash = newHash();
  const capacityFor = (needed: number) => {
    // Known size: what remains of it (a body longer than declared grows past it; splitBody rejects it).
    const expected = options.size !== undefined && options.size - taken > 0 ? options.size - taken : partNumber === 1 ? FIRST_CAPACITY : target;
    return Math.min(target, Math.max(expected, needed));
  };
  // Part-sized buffers handed back by release(): at most as many as were in use at once.
  const free: Buffer[] = [];
  const finish = (data: Buffer): BodyPart => {
    const reusable = part !== undefined && data === part && part.length === target;
    let released = false;
    const release = () => {
      if (!reusable || released) return;
      released = true;
      free.push(data);
    };
    const done: BodyPart = hash ? { data, digest: hash.digest(), release } : { data, release };
    taken += data.length;
    part = undefined;
    held = 0;
    hash = newHash();
    return done;
  };
  for await (const raw of body) {
    let chunk = typeof raw === 'string' ? Buffer.from(raw) : (raw as Buffer);
    while (chunk.length > 0) {
      const take = Math.min(chunk.length, target - held);
      const piece = chunk.subarray(0, take);
      chunk = chunk.subarray(take);
      hash?.update(piece);
      if (held === 0 && take === target) {
        // A whole part in one chunk: no copy.
        yield finish(piece);
        target = sizeOf(++partNumber);
        continue;
      }
      if (!part || held + take > part.length) {
        // Grows only when the length was not known: doubling keeps the copies linear.
        const capacity = capacityFor(Math.max(held + take, part ? part.length * 2 : 0));
        const reused = capacity === target && !part ? free.find((b) => b.length === target) : undefined;
        if (reused) free.splice(free.indexOf(reused), 1);
        const grown = reused ?? Buffer.allocUnsafe(capacity);
        if (part) part.copy(grown, 0, 0, held);
        part = grown;
      }
      piece.copy(part, held);
      held += take;
      if (held === target) {
        yield finish(part);
        target = sizeOf(++partNumber);
      }
    }
  }
  if (held > 0) yield finish(part!.subarray(0, held));
}

/**
 * Cut a byte stream into Buffers whose sizes `sizeOf(partNumber)` decides (the last one may
 * be shorter); `cutBody` without digests.
 */
export async function* bodyParts(body: Readable, sizeOf: (partNumber: number) => number): AsyncGenerator<Buffer> {
  // Never released: each Buffer stays the caller's.
  for await (const part of cutBody(body, sizeOf)) yield part.data;
}

/** A write's body, cut for a provider that sends small bodies whole and large ones in parts. */
export type SplitBody =
  | { readonly kind: 'single'; readonly data: Buffer; /** As in BodyPart. */ readonly digest?: Buffer }
  | { readonly kind: 'parts'; readonly parts: AsyncGenerator<BodyPart>; consumed(): number };

/**
 * Read a write's body as parts of `sizeOf(n)` bytes, checking it against its declared size
 * (a body longer or shorter than declared rejects with ProviderError('conflict'), as the
 * contract says) and reporting progress. When the body fits in one part it comes back
 * whole (`single`: one request); otherwise as a stream of parts pulled with back-pressure.
 * Make part 1 as long as the single-request threshold to get that choice right. With
 * `digest` (a node:crypto hash name) every part, and a single body, comes with its digest.
 */
export async function splitBody(
  body: Readable,
  options: { path: string; size?: number; sizeOf: (partNumber: number) => number; digest?: string; onProgress?: (consumed: number) => void },
): Promise<SplitBody> {
  const known = options.size;
  let consumed = 0;
  const mismatch = (actual: string) => new ProviderError('conflict', `"${options.path}": expected ${known} bytes but the body had ${actual}`);
  const cutOptions = { ...(known !== undefined ? { size: known } : {}), ...(options.digest !== undefined ? { digest: options.digest } : {}) };
  const counted = async function* (): AsyncGenerator<BodyPart> {
    for await (const part of cutBody(body, options.sizeOf, cutOptions)) {
      consumed += part.data.length;
      if (known !== undefined && consumed > known) throw mismatch(`more than ${known}`);
      options.onProgress?.(consumed);
      yield part;
    }
    if (known !== undefined && consumed !== known) throw mismatch(String(consumed));
  };
  const parts = counted();
  const first = await parts.next();
  const second = first.done ? first : await parts.next();
  if (second.done) {
    if (!first.done) return { kind: 'single', ...first.value };
    const empty = Buffer.alloc(0);
    return options.digest !== undefined ? { kind: 'single', data: empty, digest: createHash(options.digest).digest() } : { kind: 'single', data: empty };
  }
  async function* all(): AsyncGenerator<BodyPart> {
    yield first.value as BodyPart;
    yield second.value as BodyPart;
    yield* parts;
  }
  return { kind: 'parts', parts: all(), consumed: () => consumed };
}
