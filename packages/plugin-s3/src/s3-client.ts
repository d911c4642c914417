import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { S3Config } from './config.js';
import { DEFAULT_REGION, type ResolvedEndpoint } from './endpoint.js';
import { isLegacyOnlyBucketName } from './bucket-names.js';

/** Sockets kept open per client: parallel files × parallel parts, and listings beside them. */
export const MAX_SOCKETS = 64;

/**
 * An S3 client tuned for bulk transfers: keep-alive sockets (a new TLS handshake per small
 * file would dominate), enough of them for parallel uploads, no SDK retries (the kernel
 * retries transient ProviderErrors with backoff, so SDK retries would multiply them).
 */
export function createS3Client(config: S3Config, endpoint: ResolvedEndpoint): S3Client {
  const agentOptions = { keepAlive: true, maxSockets: MAX_SOCKETS, keepAliveMsecs: 1000 };
  const options: S3ClientConfig = {
    region: config.region ?? DEFAULT_REGION,
    // A legacy (non-DNS) bucket name cannot be a host name, so it is always addressed in the path.
    forcePathStyle: config.forcePathStyle ?? (config.endpoint !== undefined || isLegacyOnlyBucketName(config.bucket)),
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
      connectionTimeout: 30_000,
      socketTimeout: 120_000,
    }),
    maxAttempts: 1,
    // The plugin sends Content-MD5 itself from buffered bodies; the SDK's default CRC32
    // trailers are not understood by every S3-compatible service (Swift's s3api among them).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
  if (endpoint.url !== undefined) options.endpoint = endpoint.url;
  if (config.accessKeyId !== undefined && config.secretAccessKey !== undefined) {
    options.credentials = {
      accessKeyId: config.accessKeyId,
      secretAccessKey: config.secretAccessKey,
      ...(config.sessionToken !== undefined ? { sessionToken: config.sessionToken } : {}),
    };
  } else if (config.profile !== undefined) {
    // Without keys the SDK's default chain runs: environment, shared config/credentials (this profile), SSO, IMDS.
    options.profile = config.profile;
  }
  return new S3Client(options);
}
