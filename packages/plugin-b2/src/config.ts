import { z } from '@nimbus/kernel/plugin';
import { validateB2BucketName } from './bucket-names.js';
import { B2_LIMITS } from './part-size.js';

/** Where b2_authorize_account is called unless `apiUrl` says otherwise. */
export const DEFAULT_API_URL = 'https://api.backblazeb2.com';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * The `destination` block of a profile using the b2 plugin. Everything is checked before
 * any request: a bad bucket name or a plain-http authorize URL never reaches the network.
 */
export const b2ConfigSchema = z
  .strictObject({
    /** The application key id (or the account id for the master key). */
    keyId: z.string().min(1, 'give keyId: the applicationKeyId of a B2 application key'),
    /** The application key itself: a secret. */
    applicationKey: z.string().min(1, 'give applicationKey: the secret of the B2 application key'),
    bucket: z.string().min(1, 'give the bucket name, e.g. bucket: my-backups'),
    /** Folder inside the bucket that acts as the root ('' = the whole bucket). */
    prefix: z
      .string()
      .default('')
      .transform((p) => p.replace(/^\/+|\/+$/g, '')),
    /** Part size of large files (bytes); default: the recommendedPartSize B2 announces at authorization (100 MB). */
    partSize: z.number().int().min(B2_LIMITS.minPartSize).max(B2_LIMITS.maxPartSize).optional(),
    /** Files at or above this size (bytes) go up as large files in parts; default: the part size. */
    threshold: z.number().int().min(B2_LIMITS.minPartSize).max(B2_LIMITS.maxSingleUpload).optional(),
    /** Parts of one large file sent at once. */
    concurrency: z.number().int().min(1).max(32).default(4),
    /** Create the bucket (allPrivate) when it does not exist. */
    createBucket: z.boolean().default(false),
    /**
     * B2's X-Bz-Test-Mode, sent with every request, to try Nimbus against B2's own artificial
     * failures: fail_some_uploads, expire_some_account_authorization_tokens, force_cap_exceeded.
     */
    testMode: z.enum(['fail_some_uploads', 'expire_some_account_authorization_tokens', 'force_cap_exceeded']).optional(),
    /** Where to authorize (b2_authorize_account); other URLs come from its answer. For tests and special endpoints. */
    apiUrl: z.string().url().default(DEFAULT_API_URL),
  })
  .superRefine((config, ctx) => {
    const badName = validateB2BucketName(config.bucket);
    if (badName) ctx.addIssue({ code: 'custom', path: ['bucket'], message: badName });
    const url = new URL(config.apiUrl);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
      ctx.addIssue({ code: 'custom', path: ['apiUrl'], message: `apiUrl must be https (plain http only to this machine): ${config.apiUrl}` });
    }
  });

export type B2Config = z.infer<typeof b2ConfigSchema>;

export const B2_SECRET_FIELDS = ['applicationKey'] as const;

/** Host of the authorize URL, for describeLocation when it is not the default. */
export function apiHost(config: Pick<B2Config, 'apiUrl'>): string | undefined {
  return config.apiUrl === DEFAULT_API_URL ? undefined : new URL(config.apiUrl).host;
}
