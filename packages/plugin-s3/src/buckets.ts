import { CreateBucketCommand, ListBucketsCommand, type BucketLocationConstraint, type S3Client } from '@aws-sdk/client-s3';
import { isProviderError, ProviderError, UserError, type BucketInfo } from '@nimbus/kernel/plugin';
import { checkBucketName, isUsStandard } from './bucket-names.js';
import type { S3ErrorMapper } from './s3-errors.js';

export interface BucketContext {
  readonly client: S3Client;
  readonly errors: S3ErrorMapper;
  readonly s3Compatible: boolean;
}

/** The account's buckets. Accounts may be denied this; a profile then simply names its bucket. */
export async function listAccountBuckets(context: BucketContext): Promise<BucketInfo[]> {
  const buckets: BucketInfo[] = [];
  let token: string | undefined;
  do {
    let page;
    try {
      page = await context.client.send(new ListBucketsCommand({ ...(token ? { ContinuationToken: token } : {}) }));
    } catch (error) {
      const mapped = context.errors.map(error, 'list buckets');
      if (isProviderError(mapped, 'permission')) {
        throw new ProviderError('permission', 'these credentials may not list buckets (AccessDenied); name the bucket in the profile (bucket: <name>) instead', {
          cause: error,
        });
      }
      throw mapped;
    }
    for (const b of page.Buckets ?? []) {
      if (!b.Name) continue;
      buckets.push({
        name: b.Name,
        ...(b.BucketRegion ? { location: b.BucketRegion } : {}),
        ...(b.CreationDate ? { createdAt: b.CreationDate.getTime() } : {}),
      });
    }
    token = page.ContinuationToken;
  } while (token);
  return buckets;
}

/**
 * Create a bucket in `location` (a region; default US Standard). The name is checked
 * against the rules of that location before any request.
 */
export async function createAccountBucket(context: BucketContext, name: string, location: string | undefined): Promise<void> {
  const problem = checkBucketName(name, { legacyAllowed: !context.s3Compatible && isUsStandard(location) });
  if (problem) throw new UserError(`${problem}: choose another name`);
  // US Standard is the default location and must not be named (S3 refuses LocationConstraint us-east-1).
  const constraint = isUsStandard(location) ? undefined : location;
  await context.errors.run(`create bucket "${name}"`, () =>
    context.client.send(
      new CreateBucketCommand({
        Bucket: name,
        ...(constraint ? { CreateBucketConfiguration: { LocationConstraint: constraint as BucketLocationConstraint } } : {}),
      }),
    ),
  );
}
