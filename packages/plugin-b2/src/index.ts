import { definePlugin } from '@nimbus/kernel/plugin';
import { B2_CAPABILITIES } from './capabilities.js';
import { apiHost, b2ConfigSchema, B2_SECRET_FIELDS, type B2Config } from './config.js';
import { connectB2 } from './connect.js';

export { B2_CAPABILITIES, refineCapabilities } from './capabilities.js';
export { b2ConfigSchema, DEFAULT_API_URL, type B2Config } from './config.js';
export { B2_BUCKET_NAME_RULES, brokenBucketNameRule, MAX_BUCKETS_PER_ACCOUNT, validateB2BucketName, type BucketNameRule } from './bucket-names.js';
export { connectB2 } from './connect.js';
export { B2Provider } from './b2-provider.js';
export { B2Client } from './b2-client.js';
export { B2ApiError } from './b2-errors.js';
export { B2_LIMITS, partSizeFor, growingPartSize } from './part-size.js';
export { listUnfinishedLargeFiles } from './unfinished-large-files.js';

/** Split `bucket/some/prefix` of a one-off `b2:bucket/some/prefix` target. */
export function parseB2Target(target: string): { bucket: string; prefix?: string } {
  const trimmed = target.replace(/^b2:\/\//, '').replace(/^\/+/, '');
  const slash = trimmed.indexOf('/');
  if (slash < 0) return { bucket: trimmed };
  const prefix = trimmed.slice(slash + 1).replace(/\/+$/, '');
  return prefix ? { bucket: trimmed.slice(0, slash), prefix } : { bucket: trimmed.slice(0, slash) };
}

/** Backblaze B2 Cloud Storage through its native API. */
export default definePlugin<B2Config>({
  id: 'b2',
  displayName: 'Backblaze B2',
  description: 'Backblaze B2 Cloud Storage (native API): immutable, versioned files; large files in parts',
  kernelApi: '^1.0.0',
  configSchema: b2ConfigSchema,
  secretFields: B2_SECRET_FIELDS,
  capabilities: B2_CAPABILITIES,
  // One-off targets take the key from the environment (B2_APPLICATION_KEY_ID / B2_APPLICATION_KEY).
  parseTarget: (target) => ({
    ...parseB2Target(target),
    ...(process.env['B2_APPLICATION_KEY_ID'] ? { keyId: process.env['B2_APPLICATION_KEY_ID'] } : {}),
    ...(process.env['B2_APPLICATION_KEY'] ? { applicationKey: process.env['B2_APPLICATION_KEY'] } : {}),
  }),
  describeLocation: (config) => {
    const path = config.prefix ? `${config.bucket}/${config.prefix}` : config.bucket;
    const host = apiHost(config);
    return host ? `${path}@${host}` : path;
  },
  connect: (config, context) => connectB2(config, context),
});
