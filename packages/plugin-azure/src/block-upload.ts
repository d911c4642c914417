import { ProviderError, uploadInParts, type RequestPacer, type ResumableWrite } from '@nimbus/kernel/plugin';
import type { BlockBlobClient, BlockBlobUploadOptions } from '@azure/storage-blob';
import type { Readable } from 'node:stream';
import { BlockUploadProtocol, MAX_BLOCKS } from './block-protocol.js';
import { MAX_BLOCK_SIZE } from './config.js';

export { MAX_BLOCKS } from './block-protocol.js';
const MiB = 1024 * 1024;

export interface UploadRequest {
  readonly path: string;
  readonly size?: number;
  readonly metadata?: Record<string, string>;
  readonly tier?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (bytesSent: number) => void;
  /** Keep the staged blocks' session where a later write of the same source resumes it. */
  readonly resume?: ResumableWrite;
  /** The connection's pacer, for each request of the upload (WriteOptions.pacer). */
  readonly pacer?: RequestPacer;
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

/** The block size for a file: the configured one, grown when the file needs more than 50,000 blocks. */
export function blockSizeFor(size: number | undefined, configured: number): number {
  if (size === undefined || size <= configured * MAX_BLOCKS) return configured;
  return Math.min(MAX_BLOCK_SIZE, Math.ceil(size / MAX_BLOCKS / MiB) * MiB);
}

/**
 * Upload a blob so that readers see the old blob or the complete new one, never a part:
 * a body that fits one block goes up in one Put Blob; a larger one as staged blocks
 * (`concurrency` in flight, driven by the kernel) committed at the end by one Put Block
 * List carrying the whole file's Content-MD5. On failure or abort nothing is committed;
 * staged blocks that were never committed are discarded by the service (after 7 days at
 * the latest), unless a later run resumes them.
 */
export async function uploadBlob(
  client: BlockBlobClient,
  body: Readable,
  request: UploadRequest,
  settings: UploadSettings,
  mapError: (error: unknown) => unknown,
): Promise<UploadResult> {
  const { path, size } = request;
  if (size !== undefined && size > MAX_BLOCK_SIZE * MAX_BLOCKS) {
    throw new ProviderError('invalid', `"${path}" is ${size} bytes, more than a block blob can hold (${MAX_BLOCKS} blocks of ${MAX_BLOCK_SIZE} bytes)`);
  }
  const blockSize = blockSizeFor(size, settings.blockSize);
  const common: BlockBlobUploadOptions = {
    ...(request.metadata ? { metadata: request.metadata } : {}),
    ...(request.tier ? { tier: request.tier } : {}),
  };
  const sent = await uploadInParts(new BlockUploadProtocol(client, path, common, mapError), body, {
    path,
    ...(size !== undefined ? { size } : {}),
    sizeOf: () => blockSize,
    partConcurrency: settings.concurrency,
    ...(request.signal ? { signal: request.signal } : {}),
    ...(request.onProgress ? { onProgress: request.onProgress } : {}),
    ...(request.resume ? { resume: request.resume } : {}),
    ...(request.pacer ? { pacer: request.pacer } : {}),
  });
  return { size: sent.size, ...sent.result };
}
