import type { B2UploadTarget } from './b2-api-types.js';

/**
 * Upload URLs (each with its own token) kept for reuse: an upload URL serves one upload at
 * a time, and asking for a new one per file would double the requests. A URL that failed
 * is not given back (B2: "get a new upload URL and try again").
 */
export class UploadUrlPool {
  private readonly free: B2UploadTarget[] = [];

  constructor(private readonly fetchNew: (signal?: AbortSignal) => Promise<B2UploadTarget>) {}

  async take(signal?: AbortSignal): Promise<B2UploadTarget> {
    return this.free.pop() ?? this.fetchNew(signal);
  }

  give(target: B2UploadTarget): void {
    this.free.push(target);
  }

  get size(): number {
    return this.free.length;
  }
}
