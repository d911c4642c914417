import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { isProviderError } from '../errors/nimbus-error.js';
import { backOff, isTransient, throttleAllowance, type RetryPolicy } from '../engine/retry.js';
import type { RequestPacer } from '../pacer/pacer.js';
import { splitBody, type BodyPart } from '../provider/body-parts.js';
import type { ChunkedUploadProtocol, PartReceipt } from './chunked-upload-protocol.js';
import { heldPartMatches } from './held-part.js';
import type { ResumableWrite } from './upload-session-store.js';

export interface UploadInPartsOptions {
  /** For messages and as the session's key: the path as the caller named it. */
  readonly path: string;
  /** Bytes the body has, when known (a longer or shorter body rejects with ProviderError('conflict')). */
  readonly size?: number;
  /**
   * Size of part `n` (1-based). Part 1 is also the single-request threshold: a body that
   * fits in it goes up whole. With a known size it should be constant, so that a resumed
   * session is cut the same way.
   */
  readonly sizeOf: (partNumber: number) => number;
  /** Parts in flight at once. */
  readonly partConcurrency: number;
  /** Tries per part before the whole upload fails (transient errors only; throttles do not count, see sendPart); default 3. */
  readonly partAttempts?: number;
  /**
   * The connection's pacer (WriteOptions.pacer): every request of the upload (each part,
   * the begin and the commit) waits for it, and a throttle on one pauses the connection.
   */
  readonly pacer?: RequestPacer;
  readonly signal?: AbortSignal;
  readonly onProgress?: (bytes: number) => void;
  /** Keep the session in this store so that a killed run resumes it (known sizes only). */
  readonly resume?: ResumableWrite;
}

export interface UploadInPartsResult<Result> {
  readonly result: Result;
  readonly size: number;
  /** Parts of the chunked upload, 0 when the body went up whole. */
  readonly parts: number;
  /** Parts a resumed session already held (read and checked here, not sent again). */
  readonly partsResumed: number;
}

function abortError(signal: AbortSignal): Error {
  const reason = signal.reason;
  // Not a DOMException (AbortController's default reason): callers and test runners expect a plain Error,
  // whichever of the body, a part or the driver noticed the abort first.
  if (reason instanceof Error && reason.name === 'AbortError' && !(reason instanceof DOMException)) return reason;
  return Object.assign(new Error('the upload was aborted', { cause: reason }), { name: 'AbortError' });
}

/**
 * Upload one body so that it appears complete or not at all: whole below the first part's
 * size, otherwise as a chunked session whose parts go up in parallel (bounded), each
 * retried on transient failures, committed only after every part arrived. A failed session
 * is aborted so no orphaned parts stay behind, except a transient failure of a resumable
 * write: its session stays for the retry or the next run. With `resume`, the session and
 * each acknowledged part are kept in the store; a later call for the same path and source
 * asks the service which parts it holds, checks each against the bytes read now, and sends
 * only the others. Every part is still read, so the caller's meter sees the whole content.
 */
export async function uploadInParts<Result>(
  protocol: ChunkedUploadProtocol<Result>,
  body: Readable,
  options: UploadInPartsOptions,
): Promise<UploadInPartsResult<Result>> {
  const { signal } = options;
  if (signal?.aborted) throw abortError(signal);
  // Our own controller stops in-flight requests and the body on failure or abort.
  const controller = new AbortController();
  const onAbort = () => {
    controller.abort(signal!.reason);
    body.destroy(abortError(signal!));
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const split = await splitBody(body, {
      path: options.path,
      ...(options.size !== undefined ? { size: options.size } : {}),
      sizeOf: options.sizeOf,
      ...(protocol.digest !== undefined ? { digest: protocol.digest } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    if (split.kind === 'single') {
      // The whole body in one request: like any single-request write, paced but retried by the engine's retry of the write.
      const result = await pacedOnce(options, () => protocol.putWhole(split.data, split.digest, controller.signal));
      if (split.data.length === 0) options.onProgress?.(0);
      return { result, size: split.data.length, parts: 0, partsResumed: 0 };
    }
    return await sendParts(protocol, split.parts, options, controller);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

interface OpenSession {
  readonly state: string;
  /** Started by an earlier call (and found at the service), not by this one. */
  readonly resumed: boolean;
  /** Parts the service already holds, by number (a resumed session). */
  readonly held: ReadonlyMap<number, PartReceipt>;
}

async function sendParts<Result>(
  protocol: ChunkedUploadProtocol<Result>,
  parts: AsyncGenerator<BodyPart>,
  options: UploadInPartsOptions,
  controller: AbortController,
): Promise<UploadInPartsResult<Result>> {
  const resume = options.size !== undefined ? options.resume : undefined;
  const partSize = options.sizeOf(1);
  const session = (resume && (await resumedSession(protocol, options, options.path, resume, partSize, controller.signal))) ?? {
    state: await paced(options, controller.signal, 0, () => protocol.begin(controller.signal)),
    resumed: false,
    held: new Map<number, PartReceipt>(),
  };
  if (resume && !session.resumed) {
    await resume.store.saveUploadSession({ path: options.path, source: resume.source, state: session.state, partSize, startedAt: Date.now() });
  }
  const whole = protocol.wholeDigest !== undefined ? createHash(protocol.wholeDigest) : undefined;
  const done: PartReceipt[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let size = 0;
  let partsResumed = 0;
  try {
    let partNumber = 0;
    for await (const part of parts) {
      if (failure !== undefined) break;
      const number = ++partNumber;
      size += part.data.length;
      // Parts come in order: the whole body's digest grows with each, sent or not.
      whole?.update(part.data);
      const held = session.held.get(number);
      if (held && heldPartMatches(held, part)) {
        // Already at the service with these very bytes: read (for the caller's hash), not sent.
        done.push(held);
        partsResumed++;
        part.release();
        continue;
      }
      const sending = sendPart(protocol, session.state, number, part, options, controller.signal).then(
        async (receipt) => {
          done.push(receipt);
          // Acknowledged: the request is over and its buffer can carry a later part.
          part.release();
          await resume?.store.addUploadPart(options.path, receipt);
        },
        (error) => {
          failure ??= error;
          controller.abort();
        },
      );
      inFlight.add(sending);
      void sending.finally(() => inFlight.delete(sending));
      if (inFlight.size >= options.partConcurrency) await Promise.race(inFlight);
    }
  } catch (error) {
    failure ??= error;
    controller.abort();
  }
  await Promise.all(inFlight);
  if (failure === undefined && controller.signal.aborted) failure = abortError(controller.signal);
  if (failure !== undefined) {
    await dropUnlessResumable(protocol, session.state, options, failure);
    throw failure;
  }
  done.sort((a, b) => a.number - b.number);
  let result: Result;
  try {
    const wholeDigest = whole?.digest();
    result = await paced(options, controller.signal, 0, () => protocol.commit(session.state, done, controller.signal, wholeDigest));
  } catch (error) {
    await dropUnlessResumable(protocol, session.state, options, error);
    throw error;
  }
  await resume?.store.removeUploadSession(options.path);
  return { result, size, parts: done.length, partsResumed };
}

/**
 * The session saved for this path, when it sends the same source cut the same way and the
 * service still holds it; any other saved session is aborted and forgotten.
 */
async function resumedSession<Result>(
  protocol: ChunkedUploadProtocol<Result>,
  options: UploadInPartsOptions,
  path: string,
  resume: ResumableWrite,
  partSize: number,
  signal: AbortSignal,
): Promise<OpenSession | undefined> {
  const saved = await resume.store.findUploadSession(path);
  if (!saved) return undefined;
  if (saved.source === resume.source && saved.partSize === partSize && protocol.resume) {
    const listed = await pacedOnce(options, () => protocol.resume!(saved.state, signal)).catch(() => undefined);
    if (listed) {
      // The service's word on each part, completed by what we recorded when it was acknowledged.
      const recorded = new Map(saved.parts.map((p) => [p.number, p]));
      const held = new Map<number, PartReceipt>();
      for (const part of listed) {
        const mine = recorded.get(part.number);
        const digest = part.digest ?? (mine && mine.size === part.size && mine.token === part.token ? mine.digest : undefined);
        held.set(part.number, { ...part, ...(digest !== undefined ? { digest } : {}) });
      }
      return { state: saved.state, resumed: true, held };
    }
  }
  await pacedOnce(options, () => protocol.abort(saved.state)).catch(() => undefined);
  await resume.store.removeUploadSession(path);
  return undefined;
}

/** One part, retried on transient failures: its bytes are in memory, so a retry is cheap. */
function sendPart<Result>(
  protocol: ChunkedUploadProtocol<Result>,
  state: string,
  number: number,
  part: BodyPart,
  options: UploadInPartsOptions,
  signal: AbortSignal,
): Promise<PartReceipt> {
  return paced(options, signal, (options.partAttempts ?? 3) - 1, () => protocol.uploadPart(state, number, part, signal));
}

/** One request through the connection's pacer (when the write was given one), not retried here. */
function pacedOnce<T>(options: UploadInPartsOptions, request: () => Promise<T>): Promise<T> {
  return options.pacer ? options.pacer.call(request) : request();
}

const PART_RETRY: RetryPolicy = { retries: 2, minDelayMs: 200, maxDelayMs: 5000 };

/**
 * One request of the upload through the connection's pacer, tried again after `retries`
 * transient failures, and after throttles as the kernel's withRetry does: a throttle pauses
 * the whole connection (the pacer) and does not use up a retry, up to MAX_FREE_THROTTLES.
 * So a 429 on one part (or on the begin or the commit, which get no other retries: the
 * engine's retry of the write covers those) costs a wait and that one request again, never
 * the session and the parts already sent.
 */
async function paced<T>(options: UploadInPartsOptions, signal: AbortSignal, retries: number, request: () => Promise<T>): Promise<T> {
  const consumesRetry = throttleAllowance();
  let left = retries;
  for (let failures = 1; ; failures++) {
    if (signal.aborted) throw abortError(signal);
    try {
      return await pacedOnce(options, request);
    } catch (error) {
      if (signal.aborted || !isTransient(error)) throw error;
      if (consumesRetry(error) && left-- <= 0) throw error;
      // At least the Retry-After; the pacer also holds the next try until the connection's pause is over.
      await backOff(error, failures, PART_RETRY);
    }
  }
}

/**
 * After a failure: a resumable session that failed for a transient reason (or a throttle) stays (the
 * engine's retry or the next run resumes it; cleanupIncomplete removes it if nobody does);
 * any other is aborted and forgotten.
 */
async function dropUnlessResumable<Result>(protocol: ChunkedUploadProtocol<Result>, state: string, options: UploadInPartsOptions, failure: unknown): Promise<void> {
  const keep =
    options.resume !== undefined && options.size !== undefined && !options.signal?.aborted && (isProviderError(failure, 'transient') || isProviderError(failure, 'throttled'));
  if (keep) return;
  await pacedOnce(options, () => protocol.abort(state)).catch(() => undefined);
  await options.resume?.store.removeUploadSession(options.path).catch(() => undefined);
}
