import { GetBucketVersioningCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { isProviderError, ProviderError, UserError, type PluginContext } from '@nimbus/kernel/plugin';
import { createAccountBucket } from './buckets.js';
import { refineCapabilities } from './capabilities.js';
import { legacyNamesAllowed, S3_SECRET_FIELDS, type S3Config } from './config.js';
import { DEFAULT_REGION, resolveEndpoint } from './endpoint.js';
import { createS3Client } from './s3-client.js';
import { errorCodeOf, S3ErrorMapper } from './s3-errors.js';
import { S3Provider } from './s3-provider.js';
import { isLegacyOnlyBucketName } from './bucket-names.js';

/**
 * Connect to the bucket: check it exists and the credentials may list it (creating it when
 * asked), learn whether it keeps versions, and refine the capabilities for this service.
 */
export async function connectS3(config: S3Config, context: PluginContext, extra: { singleCopyLimit?: number } = {}): Promise<S3Provider> {
  const endpoint = resolveEndpoint(config);
  if (!endpoint.https) context.logger.warn(`s3: plain http to ${endpoint.host}: the connection is not encrypted (https encrypts the connection, not the files)`);
  if (isLegacyOnlyBucketName(config.bucket)) {
    context.logger.warn(`s3: bucket "${config.bucket}" follows only the legacy US Standard naming rules; it is addressed path-style, and the strict rules are recommended for new buckets`);
  }
  const secrets = S3_SECRET_FIELDS.map((field) => config[field]).filter((v): v is string => typeof v === 'string');
  const errors = new S3ErrorMapper(config.bucket, secrets);
  const client = createS3Client(config, endpoint);
  try {
    const where = `bucket "${config.bucket}" at ${endpoint.host}`;
    let bucketMissing = false;
    if (!(await bucketExists(client, config, errors, where))) {
      if (!config.createBucket) throw new UserError(`${where} does not exist: create it, correct the name, or set createBucket: true`);
      if (context.dryRun) bucketMissing = true;
      else {
        const location = config.location ?? config.region ?? DEFAULT_REGION;
        await createAccountBucket({ client, errors, s3Compatible: config.s3Compatible }, config.bucket, location);
        context.logger.info(`s3: created ${where} in ${location}`);
      }
    }
    const versioned = bucketMissing ? false : await bucketKeepsVersions(client, config.bucket, context);
    const capabilities = refineCapabilities({
      s3Compatible: config.s3Compatible,
      versioned,
      multipartThreshold: config.multipartThreshold,
      legacyBucketNames: legacyNamesAllowed(config),
    });
    return new S3Provider({
      client,
      bucket: config.bucket,
      prefix: config.prefix,
      capabilities,
      errors,
      s3Compatible: config.s3Compatible,
      storageClass: config.storageClass,
      multipartThreshold: config.multipartThreshold,
      partConcurrency: config.partConcurrency,
      restoreDays: config.restoreDays,
      restoreTier: config.restoreTier,
      bucketMissing,
      logger: context.logger,
      ...(extra.singleCopyLimit !== undefined ? { singleCopyLimit: extra.singleCopyLimit } : {}),
    });
  } catch (error) {
    client.destroy();
    throw error;
  }
}

/**
 * One ListObjectsV2 of a single key below the prefix: the permission a backup needs, and
 * (unlike HEAD, whose answers have no body) it says why it failed.
 */
async function bucketExists(client: S3Client, config: S3Config, errors: S3ErrorMapper, where: string): Promise<boolean> {
  try {
    await client.send(new ListObjectsV2Command({ Bucket: config.bucket, Prefix: config.prefix ? `${config.prefix}/` : '', MaxKeys: 1 }));
    return true;
  } catch (error) {
    if (errorCodeOf(error).code === 'NoSuchBucket') return false;
    const mapped = errors.map(error, `open ${where}`);
    if (isProviderError(mapped, 'permission')) {
      throw new ProviderError('permission', `${errors.scrub(`these credentials may not list ${where}`)}; check the bucket policy or IAM permissions (s3:ListBucket)`, { cause: error });
    }
    throw mapped;
  }
}

/** Whether the bucket has (or had) versioning on; unknown (denied) counts as no. */
async function bucketKeepsVersions(client: S3Client, bucket: string, context: PluginContext): Promise<boolean> {
  try {
    const { Status } = await client.send(new GetBucketVersioningCommand({ Bucket: bucket }));
    return Status === 'Enabled' || Status === 'Suspended';
  } catch (error) {
    context.logger.debug(`s3: cannot read the versioning state of bucket "${bucket}" (${errorCodeOf(error).code ?? 'error'}); versions are not offered`);
    return false;
  }
}
