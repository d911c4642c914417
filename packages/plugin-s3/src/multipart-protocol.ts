import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  type StorageClass as SdkStorageClass,
} from '@aws-sdk/client-s3';
import { isProviderError, type BodyPart, type ChunkedUploadProtocol, type PartReceipt } from '@nimbus/kernel/plugin';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { UploadTarget } from './object-upload.js';

/** What S3 answered for the new object. */
export interface S3PutResult {
  /** Lower-case hex MD5 of the content: known for single-request uploads only. */
  readonly md5?: string;
  readonly versionId?: string;
}

export interface S3ObjectSettings {
  readonly metadata?: Readonly<Record<string, string>>;
  /** Omitted (the service's default, STANDARD) when undefined. */
  readonly storageClass?: string;
}

/** An ETag that is a part's MD5 (not with SSE-KMS or SSE-C, where it is something else). */
const md5OfEtag = (etag: string | undefined) => {
  const bare = etag?.replace(/"/g, '').toLowerCase();
  return bare !== undefined && /^[0-9a-f]{32}$/.test(bare) ? bare : undefined;
};

/**
 * S3 multipart uploads as the kernel's chunked-upload protocol: the state is the upload id,
 * a part's token its ETag, and ListParts tells what a resumed upload already holds. Every
 * request carries Content-MD5, so the service rejects a corrupted body.
 */
export class S3MultipartProtocol implements ChunkedUploadProtocol<S3PutResult> {
  readonly digest = 'md5';

  constructor(
    private readonly target: UploadTarget,
    private readonly object: S3ObjectSettings,
  ) {}

  private get objectFields() {
    return {
      ...(this.object.metadata ? { Metadata: { ...this.object.metadata } } : {}),
      ...(this.object.storageClass ? { StorageClass: this.object.storageClass as SdkStorageClass } : {}),
    };
  }

  async putWhole(data: Buffer, digest: Buffer | undefined, abortSignal: AbortSignal): Promise<S3PutResult> {
    const { target } = this;
    const md5 = digest ?? createHash('md5').update(data).digest();
    const output = await target.errors.run(`upload "${target.path}"`, () =>
      target.client.send(
        new PutObjectCommand({ Bucket: target.bucket, Key: target.key, Body: data, ContentLength: data.length, ContentMD5: md5.toString('base64'), ...this.objectFields }),
        { abortSignal },
      ),
    );
    return { md5: md5.toString('hex'), ...(output.VersionId ? { versionId: output.VersionId } : {}) };
  }

  async begin(abortSignal: AbortSignal): Promise<string> {
    const { target } = this;
    const created = await target.errors.run(`start the multipart upload of "${target.path}"`, () =>
      target.client.send(new CreateMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, ...this.objectFields }), { abortSignal }),
    );
    return created.UploadId!;
  }

  async uploadPart(uploadId: string, partNumber: number, part: BodyPart, abortSignal: AbortSignal): Promise<PartReceipt> {
    const { target } = this;
    const { data } = part;
    const md5 = part.digest ?? createHash('md5').update(data).digest();
    const output = await target.errors.run(`upload part ${partNumber} of "${target.path}"`, () =>
      target.client.send(
        new UploadPartCommand({
          Bucket: target.bucket,
          Key: target.key,
          UploadId: uploadId,
          PartNumber: partNumber,
          Body: data,
          ContentLength: data.length,
          ContentMD5: md5.toString('base64'),
        }),
        { abortSignal },
      ),
    );
    return { number: partNumber, size: data.length, digest: md5.toString('hex'), token: output.ETag! };
  }

  async commit(uploadId: string, parts: readonly PartReceipt[], abortSignal: AbortSignal): Promise<S3PutResult> {
    const { target } = this;
    const done = await target.errors.run(`complete the multipart upload of "${target.path}"`, () =>
      target.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: target.bucket,
          Key: target.key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.number, ETag: p.token })) },
        }),
        { abortSignal },
      ),
    );
    return done.VersionId ? { versionId: done.VersionId } : {};
  }

  /** A few tries, since leftovers cost storage; cleanupIncomplete() removes what is still left. */
  async abort(uploadId: string): Promise<void> {
    const { target } = this;
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        await target.client.send(new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, UploadId: uploadId }));
        return;
      } catch (error) {
        const mapped = target.errors.map(error, 'abort');
        if (isProviderError(mapped, 'not-found') || attempt === 3) return;
        await sleep(200 * attempt);
      }
    }
  }

  /** The parts S3 holds (ListParts, 1,000 a page), or undefined when the upload is gone (NoSuchUpload). */
  async resume(uploadId: string, abortSignal: AbortSignal): Promise<readonly PartReceipt[] | undefined> {
    const { target } = this;
    const parts: PartReceipt[] = [];
    let marker: string | undefined;
    for (;;) {
      let page;
      try {
        page = await target.errors.run(`list the parts of the upload of "${target.path}"`, () =>
          target.client.send(
            new ListPartsCommand({ Bucket: target.bucket, Key: target.key, UploadId: uploadId, ...(marker !== undefined ? { PartNumberMarker: marker } : {}) }),
            { abortSignal },
          ),
        );
      } catch (error) {
        if (isProviderError(error, 'not-found')) return undefined;
        throw error;
      }
      for (const p of page.Parts ?? []) {
        if (p.PartNumber === undefined || p.ETag === undefined || p.Size === undefined) continue;
        const digest = md5OfEtag(p.ETag);
        parts.push({ number: p.PartNumber, size: p.Size, token: p.ETag, ...(digest !== undefined ? { digest } : {}) });
      }
      if (!page.IsTruncated || page.NextPartNumberMarker === undefined) return parts;
      marker = page.NextPartNumberMarker;
    }
  }
}
