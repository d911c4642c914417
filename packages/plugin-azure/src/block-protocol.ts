import type { BlockBlobClient, BlockBlobUploadOptions } from '@azure/storage-blob';
import { ProviderError, type BodyPart, type ChunkedUploadProtocol, type PartReceipt } from '@nimbus/kernel/plugin';
import { createHash, randomBytes } from 'node:crypto';

/** Azure's limit of committed blocks per block blob. */
export const MAX_BLOCKS = 50_000;

/** What Azure answered for the new blob. */
export interface BlobPutResult {
  readonly md5: Buffer;
  readonly lastModified?: Date;
}

/**
 * A block id: the same length for every block of a blob (Azure's rule), carrying the upload
 * id so that concurrent writers of one path never commit each other's blocks.
 */
const blockId = (uploadId: string, part: number) => Buffer.from(`${uploadId}-${String(part - 1).padStart(6, '0')}`).toString('base64');
const BLOCK_ID = /^([0-9a-f]{16})-(\d{6})$/;

/**
 * Azure block blobs as the kernel's chunked-upload protocol: the state is an upload id,
 * each part a staged block (checked by its transactional MD5), the commit one Put Block
 * List carrying the whole blob's Content-MD5. A resumed upload asks for the blob's
 * uncommitted blocks; Azure lists no hash for them, so the kernel checks each against the
 * MD5 it recorded when the block was acknowledged.
 */
export class BlockUploadProtocol implements ChunkedUploadProtocol<BlobPutResult> {
  readonly digest = 'md5';
  readonly wholeDigest = 'md5';

  constructor(
    private readonly client: BlockBlobClient,
    private readonly path: string,
    private readonly common: BlockBlobUploadOptions,
    private readonly mapError: (error: unknown) => unknown,
  ) {}

  private async run<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw this.mapError(error);
    }
  }

  putWhole(data: Buffer, digest: Buffer | undefined, abortSignal: AbortSignal): Promise<BlobPutResult> {
    const md5 = digest ?? createHash('md5').update(data).digest();
    return this.run(async () => {
      const response = await this.client.upload(data, data.length, { ...this.common, abortSignal, blobHTTPHeaders: { blobContentMD5: md5 } });
      return { md5, ...(response.lastModified ? { lastModified: response.lastModified } : {}) };
    });
  }

  async begin(): Promise<string> {
    return randomBytes(8).toString('hex');
  }

  uploadPart(uploadId: string, part: number, body: BodyPart, abortSignal: AbortSignal): Promise<PartReceipt> {
    if (part > MAX_BLOCKS) {
      throw new ProviderError('invalid', `"${this.path}" needs more than ${MAX_BLOCKS} blocks of ${body.data.length} bytes: raise blockSize`);
    }
    const id = blockId(uploadId, part);
    const md5 = body.digest ?? createHash('md5').update(body.data).digest();
    return this.run(async () => {
      await this.client.stageBlock(id, body.data, body.data.length, { abortSignal, transactionalContentMD5: md5 });
      return { number: part, size: body.data.length, digest: md5.toString('hex'), token: id };
    });
  }

  commit(_uploadId: string, parts: readonly PartReceipt[], abortSignal: AbortSignal, whole?: Buffer): Promise<BlobPutResult> {
    const md5 = whole!;
    return this.run(async () => {
      const response = await this.client.commitBlockList(
        parts.map((p) => p.token),
        { ...this.common, abortSignal, blobHTTPHeaders: { blobContentMD5: md5 } },
      );
      return { md5, ...(response.lastModified ? { lastModified: response.lastModified } : {}) };
    });
  }

  /** Nothing to do: Azure discards uncommitted blocks itself (at the next commit to the blob, or after 7 days). */
  async abort(): Promise<void> {}

  /** The blocks of this upload staged and not committed (Get Block List). */
  resume(uploadId: string, abortSignal: AbortSignal): Promise<readonly PartReceipt[]> {
    return this.run(async () => {
      const list = await this.client.getBlockList('uncommitted', { abortSignal });
      const parts: PartReceipt[] = [];
      for (const block of list.uncommittedBlocks ?? []) {
        const match = Buffer.from(block.name, 'base64').toString().match(BLOCK_ID);
        if (!match || match[1] !== uploadId) continue;
        parts.push({ number: Number(match[2]) + 1, size: block.size, token: block.name });
      }
      return parts;
    });
  }
}
