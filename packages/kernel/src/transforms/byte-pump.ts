import { Duplex, type Transform } from 'node:stream';

/**
 * The plumbing both stored-format streams share: a Duplex that pushes buffers to its
 * reader and honours backpressure, with at most one zlib (brotli) stream inside it. zlib works
 * asynchronously, so the inner stream is paused when our reader is full and resumed
 * when it asks for more; without that a 64 KiB chunk of zeros could inflate to
 * hundreds of MiB of buffered output.
 */
export abstract class BytePump extends Duplex {
  private zlib: Transform | undefined;
  /** A Brotli decoder ends by itself at the end of its stream, even before we end its input. */
  private zlibEnded = false;
  private resumeWriter: (() => void) | undefined;

  constructor() {
    super({ readableHighWaterMark: 64 * 1024, writableHighWaterMark: 64 * 1024 });
  }

  /** Make `zlib` the last stage: its output goes to our reader, through `transform`. */
  protected adoptZlib(zlib: Transform, transform: (data: Buffer) => Buffer[], wrapError: (error: Error) => Error): void {
    this.zlib = zlib;
    zlib.on('data', (data: Buffer) => {
      let out: Buffer[];
      try {
        out = transform(data);
      } catch (error) {
        this.destroy(error as Error);
        return;
      }
      if (!this.pushAll(out)) zlib.pause();
    });
    zlib.on('error', (error) => this.destroy(wrapError(error)));
    zlib.once('end', () => (this.zlibEnded = true));
  }

  /** Feed the inner zlib stream; resolves when it has taken the bytes (its own backpressure included). */
  protected feedZlib(buffers: Buffer[]): Promise<void> {
    const zlib = this.zlib!;
    const nonEmpty = buffers.filter((b) => b.length > 0);
    if (nonEmpty.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      nonEmpty.forEach((buffer, i) => {
        const last = i === nonEmpty.length - 1;
        zlib.write(buffer, last ? (error) => (error ? reject(error) : resolve()) : undefined);
      });
    });
  }

  /** End the inner zlib stream and wait until all its output went through `transform`. */
  protected endZlib(): Promise<void> {
    const zlib = this.zlib!;
    return new Promise((resolve, reject) => {
      if (this.zlibEnded) return resolve();
      zlib.once('end', resolve);
      zlib.once('error', reject);
      zlib.end();
    });
  }

  /** Push buffers to our reader; resolves once it wants more. */
  protected deliver(buffers: Buffer[]): Promise<void> {
    if (this.pushAll(buffers)) return Promise.resolve();
    return new Promise((resolve) => (this.resumeWriter = resolve));
  }

  private pushAll(buffers: Buffer[]): boolean {
    let wantsMore = true;
    for (const buffer of buffers) if (buffer.length > 0) wantsMore = this.push(buffer) && wantsMore;
    return wantsMore;
  }

  override _read(): void {
    this.zlib?.resume();
    const resume = this.resumeWriter;
    this.resumeWriter = undefined;
    resume?.();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.zlib?.destroy();
    callback(error);
  }
}
