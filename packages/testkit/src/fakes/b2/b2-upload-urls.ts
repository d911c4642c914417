import { randomBytes } from 'node:crypto';
import { B2WireError } from './b2-wire.js';

/** One upload URL's own token (b2_get_upload_url / b2_get_upload_part_url). */
export interface UploadToken {
  readonly value: string;
  readonly kind: 'file' | 'part';
  /** bucketId for file uploads, fileId for part uploads. */
  readonly target: string;
  expired: boolean;
  /** An upload is being received on this URL right now. */
  busy: boolean;
  /** The URL answered 5xx or 408, or its connection broke: it takes no more uploads. */
  dead: boolean;
}

/**
 * The upload URLs the fake handed out, with the rules B2 states for them:
 *
 * - One upload at a time. B2's integration checklist: "When initializing upload threads, call
 *   b2_get_upload_url or b2_get_upload_part_url for each thread. The returned upload URL /
 *   upload authorization token should be used in this thread to upload files until one of the
 *   error conditions described above occurs." A second upload while one is running is refused
 *   400 auth_token_limit (b2sdk's exception.py knows the message: "more than one upload using
 *   auth token ...").
 * - Dead after a failure. The checklist: "if one of the following conditions occur, the
 *   developer should call b2_get_upload_url or b2_get_upload_part_url and re-attempt the upload
 *   using the new URL and auth key pair: ... The HTTPS connection is broken ... The HTTP
 *   response status is 408 (Request Timeout). The HTTP response status is between 500-599";
 *   b2_get_upload_url: "An uploadUrl and upload authorizationToken are valid for 24 hours or
 *   until the endpoint rejects an upload". Using it again is refused 401 bad_auth_token.
 */
export class UploadUrls {
  private readonly tokens = new Map<string, UploadToken>();

  issue(kind: 'file' | 'part', target: string): UploadToken {
    const token: UploadToken = { value: `4_${randomBytes(16).toString('hex')}`, kind, target, expired: false, busy: false, dead: false };
    this.tokens.set(token.value, token);
    return token;
  }

  /** Check the token of an upload request and hold it until `release`. */
  claim(authorization: string | undefined, kind: 'file' | 'part', target: string): UploadToken {
    if (!authorization) throw new B2WireError(401, 'missing_auth_token', 'Authorization token is missing');
    const token = this.tokens.get(authorization);
    if (!token || token.kind !== kind || token.target !== target) throw new B2WireError(401, 'bad_auth_token', 'Invalid authorization token');
    if (token.expired) throw new B2WireError(401, 'expired_auth_token', 'Authorization token has expired');
    if (token.dead) throw new B2WireError(401, 'bad_auth_token', 'This upload URL rejected an upload before: get a new one');
    if (token.busy) throw new B2WireError(400, 'auth_token_limit', `more than one upload using auth token ${token.value}`);
    token.busy = true;
    return token;
  }

  /** The upload ended: with 5xx, 408 or a broken connection the URL dies. */
  release(token: UploadToken, outcome: { status?: number; broken?: boolean }): void {
    token.busy = false;
    if (outcome.broken || outcome.status === 408 || (outcome.status !== undefined && outcome.status >= 500)) token.dead = true;
  }

  expireAll(): void {
    for (const t of this.tokens.values()) t.expired = true;
  }
}
