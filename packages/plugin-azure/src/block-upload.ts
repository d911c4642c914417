import { ProviderError } from '@nimbus/kernel/plugin';
import type { BlockBlobClient, BlockBlobUploadOptions } from '@azure/storage-blob';
import { createHash, randomBytes } from 'node:crypto';
import { addAbortSignal, type Readable } from 'node:stream';
import { blocksOf } from './block-reader.js';
import { MAX_BLOCK_SIZE } from './config.js';

/** Azure's limit of committed blocks per block blob. */
export const MAX_BLOCKS = 50_000;
const MiB = 1024 * 1024;

export interface UploadRequest {
  readonly path: string;
  readonly size?: number;
  readonly metadata?: Record<string, string>;
  readonly tier?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (bytesSent: number) => void;
}

export interface UploadSettings {
  readonly blockSize: number;
  readonly concurrency: number;
}

export interface UploadResult {
  readonly size: number;
  readonly md5: Buffer;
  readonly lastModified?: Date;
}

export function abortErrorOf(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return Object.assign(new Error('the upload was aborted'), { name: 'AbortError', cause: reason });
}

/** The block size for a file: the configured one, grown when the file needs more than 50,000 blocks. */
export function blockSizeFor(size: number | undefined, configured: number): number {
  if (size === undefined || size <= configured * MAX_BLOCKS) return configured;
  return Math.min(MAX_BLOCK_SIZE, Math.ceil(size / MAX_BLOCKS / MiB) * MiB);
}

function sizeMismatch(path: string, expected: number, actual: string): ProviderError {
  return new ProviderError('conflict', `"${path}": expected ${expected} bytes but the body had ${actual}; nothing was stored`);
}

/**
 * Upload a blob so that readers see the old blob or the complete new one, never a part:
 * a body that fits one block goes up in one Put Blob; a larger one as staged blocks
 * (`concurrency` in flight) committed at the end by one Put Block List carrying the
 * whole file's Content-MD5. On failure or abort nothing is committed; staged blocks that
 * were never committed are discarded by the service (after 7 days at the latest).
 */
export async function uploadBlob(client: BlockBlobClient, body: Readable, request: UploadRequest, settings: UploadSettings): Promise<UploadResult> {
  const { path, size, signal } = request;
  if (signal?.aborted) {
    body.destroy();
    throw abortErrorOf(signal);
  }
  if (size !== undefined && size > MAX_BLOCK_SIZE * MAX_BLOCKS) {
    throw new ProviderError('invalid', `"${path}" is ${size} bytes, more than a block blob can hold (${MAX_BLOCKS} blocks of ${MAX_BLOCK_SIZE} bytes)`);
  }
  if (signal) addAbortSignal(signal, body);
  const blockSize = blockSizeFor(size, settings.blockSize);
  const common: BlockBlobUploadOptions = {
    ...(request.metadata ? { metadata: request.metadata } : {}),
    ...(request.tier ? { tier: request.tier } : {}),
    ...(signal ? { abortSignal: signal } : {}),
  };
  const md5 = createHash('md5');
  let read = 0;
  const blocks = blocksOf(body, blockSize);

  const first = await blocks.next();
  const firstBlock = first.done ? { data: Buffer.alloc(0), last: true } : first.value;
  if (firstBlock.last) {
    read = firstBlock.data.length;
    if (size !== undefined && read !== size) throw sizeMismatch(path, size, String(read));
    const digest = md5.update(firstBlock.data).digest();
    const response = await client.upload(firstBlock.data, read, { ...common, blobHTTPHeaders: { blobContentMD5: digest } });
    request.onProgress?.(read);
    return { size: read, md5: digest, ...(response.lastModified ? { lastModified: response.lastModified } : {}) };
  }

  const uploadId = randomBytes(8).toString('hex');
  const blockIds: string[] = [];
  const inFlight = new Set<Promise<void>>();
  const staging = new AbortController();
  const stopStaging = () => staging.abort();
  signal?.addEventListener('abort', stopStaging, { once: true });
  let failure: { error: unknown } | undefined;
  let sent = 0;
  const stage = (data: Buffer) => {
    if (blockIds.length >= MAX_BLOCKS) {
      throw new ProviderError('invalid', `"${path}" needs more than ${MAX_BLOCKS} blocks of ${blockSize} bytes: raise blockSize`);
    }
    // Block ids must all have the same length within a blob; the upload id keeps
    // concurrent writers of the same path from committing each other's blocks.
    const id = Buffer.from(`${uploadId}-${String(blockIds.length).padStart(6, '0')}`).toString('base64');
    blockIds.push(id);
    md5.update(data);
    read += data.length;
    if (size !== undefined && read > size) throw sizeMismatch(path, size, `more than ${size}`);
    const staged = client
      .stageBlock(id, data, data.length, { abortSignal: staging.signal, transactionalContentMD5: createHash('md5').update(data).digest() })
      .then(() => {
        sent += data.length;
        request.onProgress?.(sent);
      })
      .catch((error: unknown) => {
        failure ??= { error };
        staging.abort();
      })
      .finally(() => inFlight.delete(staged));
    inFlight.add(staged);
  };
  try {
    stage(firstBlock.data);
    for (let next = await blocks.next(); !next.done; next = await blocks.next()) {
      if (failure) break;
      if (next.value.data.length > 0 || blockIds.length === 0) stage(next.value.data);
      while (inFlight.size >= settings.concurrency && !failure) await Promise.race(inFlight);
      if (next.value.last) break;
    }
    await Promise.all(inFlight);
    if (failure) throw failure.error;
    if (signal?.aborted) throw abortErrorOf(signal);
    if (size !== undefined && read !== size) throw sizeMismatch(path, size, String(read));
    const digest = md5.digest();
    const response = await client.commitBlockList(blockIds, { ...common, blobHTTPHeaders: { blobContentMD5: digest } });
    return { size: read, md5: digest, ...(response.lastModified ? { lastModified: response.lastModified } : {}) };
  } finally {
    staging.abort();
    signal?.removeEventListener('abort', stopStaging);
    await Promise.allSettled(inFlight);
    await blocks.return(undefined);
  }
}
