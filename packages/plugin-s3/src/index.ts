import { definePlugin } from '@nimbus/kernel/plugin';
import { S3_CAPABILITIES } from './capabilities.js';
import { s3ConfigSchema, S3_SECRET_FIELDS, type S3Config } from './config.js';
import { connectS3 } from './connect.js';
import { resolveEndpoint } from './endpoint.js';

export { S3_CAPABILITIES, refineCapabilities } from './capabilities.js';
export { s3ConfigSchema, type S3Config } from './config.js';
export {
  checkBucketName,
  isLegacyOnlyBucketName,
  LEGACY_BUCKET_NAME_RULES,
  STRICT_BUCKET_NAME_RULES,
  validateStrictBucketName,
  validateUsStandardBucketName,
  type BucketNameRule,
} from './bucket-names.js';
export { connectS3 } from './connect.js';
export { S3Provider } from './s3-provider.js';
export { listIncompleteUploads } from './incomplete-uploads.js';
export { partSizeFor, growingPartSize, S3_PART_LIMITS } from './part-size.js';
export { parseRestoreHeader } from './restore-header.js';
export { STORAGE_CLASSES, ARCHIVE_STORAGE_CLASSES, RESTORE_TIERS } from './storage-classes.js';

/** Split `bucket/some/prefix` of a one-off `s3:bucket/some/prefix` target. */
export function parseS3Target(target: string): { bucket: string; prefix?: string } {
  const trimmed = target.replace(/^s3:\/\//, '').replace(/^\/+/, '');
  const slash = trimmed.indexOf('/');
  if (slash < 0) return { bucket: trimmed };
  const prefix = trimmed.slice(slash + 1).replace(/\/+$/, '');
  return prefix ? { bucket: trimmed.slice(0, slash), prefix } : { bucket: trimmed.slice(0, slash) };
}

/** Amazon S3 and S3-compatible services (Wasabi, MinIO, Ceph, Swift, DreamObjects, Oracle Cloud...). */
export default definePlugin<S3Config>({
  id: 's3',
  displayName: 'Amazon S3 / S3-compatible',
  description: 'Amazon S3 (storage classes, Glacier restore) or any S3-compatible service',
  kernelApi: '^1.0.0',
  configSchema: s3ConfigSchema,
  secretFields: S3_SECRET_FIELDS,
  capabilities: S3_CAPABILITIES,
  // One-off targets take their credentials from the AWS default chain (environment, shared config).
  parseTarget: (target) => parseS3Target(target),
  describeLocation: (config) => {
    const path = config.prefix ? `${config.bucket}/${config.prefix}` : config.bucket;
    return `${path}@${resolveEndpoint(config).host}`;
  },
  connect: (config, context) => connectS3(config, context),
});
