import type { B2Client } from './b2-client.js';
import type { B2ErrorMapper } from './b2-errors.js';
import type { UploadUrlPool } from './upload-url-pool.js';

/** What an upload needs: the client, the bucket, and the shared pool of b2_upload_file URLs. */
export interface UploadContext {
  readonly client: B2Client;
  readonly errors: B2ErrorMapper;
  readonly bucketId: string;
  readonly fileUrls: UploadUrlPool;
}
