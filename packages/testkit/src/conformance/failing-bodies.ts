import { Readable } from 'node:stream';

const CHUNK = 64 * 1024;

/** A body that yields `bytesBeforeError` bytes, then fails like a source file read error. */
export function bodyFailingAfter(bytesBeforeError: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= bytesBeforeError) {
        this.destroy(new Error('conformance: the source stream failed midway'));
        return;
      }
      const n = Math.min(CHUNK, bytesBeforeError - sent);
      sent += n;
      this.push(Buffer.alloc(n, 0x61));
    },
  });
}

/**
 * A body that trickles a chunk every few milliseconds, up to `limit` bytes, so an abort
 * lands while the upload is in flight. The limit keeps a provider that ignores the abort
 * from running forever: it then completes and the test fails. `onSent` reports how
 * many bytes the provider has pulled so far.
 */
export function tricklingBody(limit = 8 * 1024 * 1024, onSent?: (bytes: number) => void): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= limit) {
        this.push(null);
        return;
      }
      setTimeout(() => {
        if (this.destroyed) return;
        sent += CHUNK;
        this.push(Buffer.alloc(CHUNK, 0x62));
        onSent?.(sent);
      }, 5);
    },
  });
}
