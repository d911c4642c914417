export { startS3GlacierProxy, type S3GlacierProxy, type S3GlacierProxyOptions } from './s3-glacier-proxy.js';
export type { IntelligentTieringArchiveTier, RestorePhase, RestoreRequestSeen } from './archive-registry.js';
