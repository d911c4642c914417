import type { Readable } from 'node:stream';

/** Reads a byte stream in buffers of a chosen size (the last one shorter). */
export class ChunkReader {
  private readonly iterator: AsyncIterator<Buffer | string>;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private done = false;
  /** Bytes handed out so far. */
  consumed = 0;

  /** Highest count of bytes taken from the stream, for progress (unread bytes are not counted twice). */
  private taken = 0;

  /** `onTaken` hears the count of bytes taken from the stream so far, as it grows. */
  constructor(stream: Readable, private readonly onTaken?: (bytes: number) => void) {
    this.iterator = stream[Symbol.asyncIterator]();
  }

  /** Up to `size` bytes; fewer only at the end of the stream, an empty buffer after it. */
  async read(size: number): Promise<Buffer> {
    while (this.pendingBytes < size && !this.done) {
      const next = await this.iterator.next();
      if (next.done) {
        this.done = true;
        break;
      }
      const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      if (chunk.length === 0) continue;
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.consumed + this.pendingBytes > this.taken) {
        this.taken = this.consumed + this.pendingBytes;
        this.onTaken?.(this.taken);
      }
    }
    if (this.pending.length > 1 && this.pendingBytes >= size) {
      // One copy into a buffer of exactly `size` (a recycled one if there is), so it can be recycled in turn.
      const spare = this.spare.findIndex((b) => b.length === size);
      return this.fill(spare >= 0 ? this.spare.splice(spare, 1)[0]! : this.allocate(size));
    }
    const all = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    // The whole buffer itself when it fits, so one this reader allocated stays recyclable.
    const out = all.length <= size ? all : all.subarray(0, size);
    const rest = all.subarray(size);
    this.pending = rest.length ? [rest] : [];
    this.pendingBytes = rest.length;
    this.consumed += out.length;
    return out;
  }

  /**
   * Hands back a buffer `read` returned, once nothing uses it any more (its upload was
   * acknowledged), to carry a later read of the same size. A new buffer per segment would
   * count towards V8's external-memory limit and bring a full garbage collection every few
   * segments. Never pass a buffer something still holds.
   */
  recycle(buffer: Buffer): void {
    // Only buffers this reader allocated whole: never the source's chunks, never a view (its rest may still be pending).
    if (this.own.has(buffer) && this.spare.length < ChunkReader.MAX_SPARE) this.spare.push(buffer);
  }

  private static readonly MAX_SPARE = 4;
  private readonly spare: Buffer[] = [];
  private readonly own = new WeakSet<Buffer>();

  private allocate(size: number): Buffer {
    const buffer = Buffer.allocUnsafe(size);
    this.own.add(buffer);
    return buffer;
  }

  /** Copies the first `target.length` pending bytes into `target` (there are that many). */
  private fill(target: Buffer): Buffer {
    let filled = 0;
    while (filled < target.length) {
      const chunk = this.pending[0]!;
      const take = Math.min(chunk.length, target.length - filled);
      chunk.copy(target, filled, 0, take);
      filled += take;
      if (take === chunk.length) this.pending.shift();
      else this.pending[0] = chunk.subarray(take);
    }
    this.pendingBytes -= filled;
    this.consumed += filled;
    return target;
  }

  /** Puts bytes back in front of the stream (they are read again next). */
  unread(data: Buffer): void {
    if (data.length === 0) return;
    this.pending.unshift(data);
    this.pendingBytes += data.length;
    this.consumed -= data.length;
  }

  /** Stops reading (the stream is destroyed). */
  async cancel(): Promise<void> {
    await this.iterator.return?.();
  }
}
