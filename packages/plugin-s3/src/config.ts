import { z } from '@nimbus/kernel/plugin';
import { checkBucketName, isUsStandard } from './bucket-names.js';
import { RESTORE_TIERS, STORAGE_CLASSES } from './storage-classes.js';

const MiB = 1024 * 1024;
/** S3's smallest part (except the last): a lower threshold would make parts S3 refuses. */
export const MIN_PART_SIZE = 5 * MiB;
export const DEFAULT_MULTIPART_THRESHOLD = 16 * MiB;

/**
 * The `destination` block of a profile using the s3 plugin. Everything is checked before
 * any request: a bad bucket name, half-given credentials or a plain-http endpoint never
 * reach the network.
 */
export const s3ConfigSchema = z
  .strictObject({
    /** The bucket; see the naming rules in the README. */
    bucket: z.string().min(1, 'give the bucket name, e.g. bucket: my-backups'),
    /** Folder inside the bucket that acts as the root ('' = the whole bucket). */
    prefix: z
      .string()
      .default('')
      .transform((p) => p.replace(/^\/+|\/+$/g, '')),
    /** Region of the bucket (its location); default us-east-1 (US Standard). */
    region: z.string().min(1).optional(),
    /** Service URL of an S3-compatible service (https://s3.wasabisys.com, http://127.0.0.1:8080...); default AWS. */
    endpoint: z.string().min(1).optional(),
    /** An S3-compatible service rather than Amazon: storage classes beyond STANDARD and Glacier restore are off. */
    s3Compatible: z.boolean().default(false),
    /** Address the bucket in the path (https://host/bucket/key) instead of the host name; default: on with an endpoint. */
    forcePathStyle: z.boolean().optional(),
    /** Plain http only when set to false. https encrypts the connection, not the files. */
    useHttps: z.boolean().default(true),
    accessKeyId: z.string().min(1).optional(),
    secretAccessKey: z.string().min(1).optional(),
    /** Temporary (STS) credentials come with a session token. */
    sessionToken: z.string().min(1).optional(),
    /** A profile of the shared AWS config/credentials files, used when no keys are given. */
    profile: z.string().min(1).optional(),
    /** Storage class of uploaded objects. */
    storageClass: z.enum(STORAGE_CLASSES).default('STANDARD'),
    /** Days a restored (temporary) copy of a Glacier object stays readable. */
    restoreDays: z.number().int().min(1).max(365).default(7),
    /** Glacier retrieval tier: Expedited (minutes), Standard (hours), Bulk (cheapest, slowest). */
    restoreTier: z.enum(RESTORE_TIERS).default('Standard'),
    /** Create the bucket when it does not exist. */
    createBucket: z.boolean().default(false),
    /** Location (LocationConstraint) of a bucket Nimbus creates; default: the region. */
    location: z.string().min(1).optional(),
    /** Files at or above this size (bytes) go up as multipart uploads. */
    multipartThreshold: z.number().int().min(MIN_PART_SIZE).default(DEFAULT_MULTIPART_THRESHOLD),
    /** Parts of one file sent at once. */
    partConcurrency: z.number().int().min(1).max(64).default(4),
  })
  .superRefine((config, ctx) => {
    if ((config.accessKeyId === undefined) !== (config.secretAccessKey === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [config.accessKeyId === undefined ? 'accessKeyId' : 'secretAccessKey'],
        message: 'give both accessKeyId and secretAccessKey, or neither to use the AWS default credentials (environment, shared config)',
      });
    }
    if (config.sessionToken !== undefined && config.accessKeyId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['sessionToken'], message: 'a sessionToken needs accessKeyId and secretAccessKey' });
    }
    const badName = checkBucketName(config.bucket, { legacyAllowed: legacyNamesAllowed(config) });
    if (badName) ctx.addIssue({ code: 'custom', path: ['bucket'], message: badName });
    if (config.s3Compatible && config.storageClass !== 'STANDARD') {
      ctx.addIssue({
        code: 'custom',
        path: ['storageClass'],
        message: `${config.storageClass} is an Amazon storage class; S3-compatible services take STANDARD only`,
      });
    }
  });

export type S3Config = z.infer<typeof s3ConfigSchema>;

/** Legacy (relaxed) bucket names exist only on Amazon, in US Standard. */
export function legacyNamesAllowed(config: Pick<S3Config, 's3Compatible' | 'region'>): boolean {
  return !config.s3Compatible && isUsStandard(config.region);
}

export const S3_SECRET_FIELDS = ['secretAccessKey', 'sessionToken'] as const;
