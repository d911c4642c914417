import { isProviderError, ProviderError, UserError, type PluginContext } from '@nimbus/kernel/plugin';
import type { B2Bucket } from './b2-api-types.js';
import { B2Client } from './b2-client.js';
import { B2ErrorMapper } from './b2-errors.js';
import { B2Provider } from './b2-provider.js';
import { createAccountBucket, findBucket } from './buckets.js';
import { sameBucketName } from './bucket-names.js';
import { refineCapabilities } from './capabilities.js';
import { B2_SECRET_FIELDS, type B2Config } from './config.js';
import { B2_LIMITS } from './part-size.js';

/**
 * Connect to the bucket: authorize (the answer says where the API and downloads are and
 * which part sizes B2 wants), find the bucket (creating it when asked), check an
 * application key restricted to a bucket or prefix allows this one, and settle the part
 * size and threshold.
 */
export async function connectB2(config: B2Config, context: PluginContext): Promise<B2Provider> {
  const errors = new B2ErrorMapper(B2_SECRET_FIELDS.map((field) => config[field]));
  const client = new B2Client({ keyId: config.keyId, applicationKey: config.applicationKey, authUrl: config.apiUrl, errors, ...(config.testMode ? { testMode: config.testMode } : {}) });
  const auth = await errors.run('authorize', () => client.authorization());
  if (auth.allowedBucketName && !sameBucketName(auth.allowedBucketName, config.bucket)) {
    throw new UserError(`this B2 application key may only use bucket "${auth.allowedBucketName}", not "${config.bucket}": use that bucket or another key`);
  }
  if (auth.namePrefix && !`${config.prefix}/`.startsWith(auth.namePrefix)) {
    throw new UserError(`this B2 application key may only use names starting with "${auth.namePrefix}": set prefix inside it`);
  }
  let bucket: B2Bucket | undefined;
  try {
    bucket = await findBucket({ client, errors }, config.bucket);
  } catch (error) {
    if (isProviderError(error, 'permission')) {
      throw new ProviderError('permission', `${errors.scrub(`this B2 application key may not list bucket "${config.bucket}"`)}; it needs the listBuckets capability`, { cause: error });
    }
    throw error;
  }
  if (!bucket) {
    if (!config.createBucket) throw new UserError(`B2 bucket "${config.bucket}" does not exist in this account: create it, correct the name, or set createBucket: true`);
    if (!context.dryRun) {
      bucket = await createAccountBucket({ client, errors }, config.bucket);
      context.logger.info(`b2: created private bucket "${config.bucket}"`);
    }
  }
  const minPartSize = Math.max(1, auth.absoluteMinimumPartSize);
  const partSize = Math.min(B2_LIMITS.maxPartSize, Math.max(minPartSize, config.partSize ?? auth.recommendedPartSize));
  const threshold = Math.max(minPartSize, config.threshold ?? partSize);
  return new B2Provider({
    client,
    errors,
    bucket,
    prefix: config.prefix,
    capabilities: refineCapabilities({ threshold, minPartSize }),
    threshold,
    partSize,
    concurrency: config.concurrency,
  });
}
