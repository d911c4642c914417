import { isProviderError, type ReadOptions, type RemoteEntry, type StorageProvider, type WriteOptions } from '@nimbus/kernel';
import type { ExecutionContext } from 'ava';
import { Readable } from 'node:stream';

/** A byte stream (not object mode) of `data`. */
export function bodyOf(data: string | Buffer): Readable {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  return Readable.from(bytes.length ? [bytes] : [], { objectMode: false });
}

/** Write `data` with its size declared, as the kernel does for local files. */
export function writeData(
  provider: StorageProvider,
  path: string,
  data: string | Buffer,
  options: WriteOptions = {},
): Promise<RemoteEntry> {
  return provider.write(path, bodyOf(data), { size: Buffer.byteLength(data), ...options });
}

export async function readBuffer(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

export async function readText(provider: StorageProvider, path: string, options?: ReadOptions): Promise<string> {
  return (await readBuffer(await provider.read(path, options))).toString('utf8');
}

export interface Listing {
  readonly pages: RemoteEntry[][];
  readonly entries: RemoteEntry[];
}

export async function listAll(provider: StorageProvider, dir: string, options: { recursive?: boolean; pageSize?: number } = {}): Promise<Listing> {
  const pages: RemoteEntry[][] = [];
  for await (const page of provider.list(dir, options)) pages.push(page);
  return { pages, entries: pages.flat() };
}

/** Paths of the listed entries of one kind, sorted (byte-exact, no normalisation). */
export function pathsOf(entries: readonly RemoteEntry[], kind: RemoteEntry['kind']): string[] {
  return entries.filter((e) => e.kind === kind).map((e) => e.path).sort();
}

/** Assert the promise rejects with ProviderError('not-found'). */
export async function assertNotFound(t: ExecutionContext<unknown>, promise: Promise<unknown>, what: string): Promise<void> {
  const error = await t.throwsAsync(promise, undefined, `${what} should reject`);
  t.true(isProviderError(error, 'not-found'), `${what} should reject with ProviderError('not-found'), got ${describe(error)}`);
}

/** Run an operation the contract lets either resolve or reject with not-found. */
export async function assertResolvesOrNotFound(t: ExecutionContext<unknown>, promise: Promise<unknown>, what: string): Promise<void> {
  try {
    await promise;
    t.pass();
  } catch (error) {
    t.true(isProviderError(error, 'not-found'), `${what} may only fail with ProviderError('not-found'), got ${describe(error)}`);
  }
}

export function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}${'kind' in error ? `(${String(error.kind)})` : ''}: ${error.message}`;
  return String(error);
}
