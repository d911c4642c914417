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
    const all = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    const out = all.subarray(0, size);
    const rest = all.subarray(size);
    this.pending = rest.length ? [rest] : [];
    this.pendingBytes = rest.length;
    this.consumed += out.length;
    return out;
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
