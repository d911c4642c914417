import type { BodyPart } from '../provider/body-parts.js';

/** What the service said about one part it holds: enough to commit it and to check it. */
export interface PartReceipt {
  /** 1-based position of the part in the object. */
  readonly number: number;
  readonly size: number;
  /**
   * Lower-case hex digest of the part's bytes by the protocol's `digest` algorithm, when the
   * service reports it; a resumed part without one cannot be verified and is sent again.
   */
  readonly digest?: string;
  /** What the commit needs for this part: an S3 ETag, an Azure block id, a Swift segment name... */
  readonly token: string;
}

/**
 * The few requests a plugin makes for a chunked (multipart, block, large-file, segment)
 * upload; the kernel's driver (uploadInParts) does the rest: cutting the body into parts,
 * per-part digests, parallelism, per-part retries, and keeping the session in the cloud
 * database so a killed run resumes it. `state` is the plugin's own string (an upload id,
 * a session URL, JSON...), stored as it is.
 */
export interface ChunkedUploadProtocol<Result> {
  /** node:crypto hash name of the digest every part needs (e.g. 'md5' for Content-MD5, 'sha1' for B2). */
  readonly digest?: string;
  /**
   * node:crypto hash name of a digest of the whole body the commit needs (e.g. 'md5' for
   * Azure's blob Content-MD5); computed over every part in order, resumed ones included.
   */
  readonly wholeDigest?: string;
  /** A body that fits in one part goes up in one request. */
  putWhole(data: Buffer, digest: Buffer | undefined, signal: AbortSignal): Promise<Result>;
  /** Start a session: its state. */
  begin(signal: AbortSignal): Promise<string>;
  /** Send one part; its digest (by `digest`) was computed as its bytes arrived. */
  uploadPart(state: string, number: number, part: BodyPart, signal: AbortSignal): Promise<PartReceipt>;
  /** Make the object from the parts (sorted by number), atomically; `whole` is the body's `wholeDigest`. */
  commit(state: string, parts: readonly PartReceipt[], signal: AbortSignal, whole?: Buffer): Promise<Result>;
  /** Drop the session and its parts; best effort (cleanupIncomplete removes what stays). */
  abort(state: string): Promise<void>;
  /**
   * The parts the service holds for a session started earlier, or undefined when the
   * session is gone (completed, aborted, expired). Without it, a session is not resumed.
   */
  resume?(state: string, signal: AbortSignal): Promise<readonly PartReceipt[] | undefined>;
}
