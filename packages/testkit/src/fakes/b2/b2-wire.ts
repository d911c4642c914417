import type { IncomingMessage, ServerResponse } from 'node:http';

/** B2's JSON error body: `{status, code, message}`, the same status as the HTTP response. */
export class B2WireError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** The file structure B2 returns from uploads, listings, hide and finish calls. */
export interface B2FileJson {
  accountId: string;
  action: 'upload' | 'hide' | 'start' | 'folder';
  bucketId: string;
  contentLength: number;
  contentSha1: string | null;
  contentMd5: string | null;
  contentType: string | null;
  fileId: string | null;
  fileInfo: Record<string, string>;
  fileName: string;
  fileRetention: { isClientAuthorizedToRead: boolean; value: { mode: null; retainUntilTimestamp: null } };
  legalHold: { isClientAuthorizedToRead: boolean; value: null };
  serverSideEncryption: { algorithm: null; mode: null };
  uploadTimestamp: number;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json;charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'max-age=0, no-cache, no-store',
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: B2WireError, headOnly = false): void {
  const headers: Record<string, string> = error.retryAfterSeconds !== undefined ? { 'Retry-After': String(error.retryAfterSeconds) } : {};
  if (headOnly) {
    res.writeHead(error.status, headers);
    res.end();
    return;
  }
  sendJson(res, error.status, { status: error.status, code: error.code, message: error.message }, headers);
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Decode a percent-encoded header value the way B2 does (as a URL parameter: `+` is a space). */
export function decodeHeaderValue(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    throw new B2WireError(400, 'bad_request', `bad percent-encoding: ${value}`);
  }
}

export const badRequest = (message: string) => new B2WireError(400, 'bad_request', message);

/** Byte order of UTF-8 names: how B2 sorts file names. */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
