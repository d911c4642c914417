import { ProviderError, type BucketInfo } from '@nimbus/kernel/plugin';
import type { B2Bucket } from './b2-api-types.js';
import type { B2Client } from './b2-client.js';
import { b2CodeOf, type B2ErrorMapper } from './b2-errors.js';
import { MAX_BUCKETS_PER_ACCOUNT, sameBucketName, validateB2BucketName } from './bucket-names.js';

type Context = { client: B2Client; errors: B2ErrorMapper };

export async function accountBuckets(context: Context, filter: { bucketName?: string } = {}): Promise<B2Bucket[]> {
  const auth = await context.errors.run('authorize', () => context.client.authorization());
  // A key restricted to one bucket may list only that one, and must name it (B2: "you must include
  // the bucketId or bucketName of that bucket in the request, or the request will be denied").
  const named = filter.bucketName === undefined && auth.allowedBucketName !== undefined ? { bucketName: auth.allowedBucketName } : filter;
  const { buckets } = await context.errors.run('list buckets', () =>
    context.client.call<{ buckets: B2Bucket[] }>('b2_list_buckets', { accountId: auth.accountId, ...named }),
  );
  return buckets;
}

export async function findBucket(context: Context, name: string): Promise<B2Bucket | undefined> {
  return (await accountBuckets(context, { bucketName: name })).find((b) => sameBucketName(b.bucketName, name));
}

export async function listAccountBuckets(context: Context): Promise<BucketInfo[]> {
  return (await accountBuckets(context)).map((b) => ({ name: b.bucketName }));
}

const tooManyBuckets = (name: string) =>
  new ProviderError(
    'invalid',
    `cannot create bucket "${name}": this B2 account already has ${MAX_BUCKETS_PER_ACCOUNT} buckets, the most B2 allows; delete a bucket you no longer use, or put this backup in an existing bucket under a prefix`,
  );

/**
 * Create a private bucket, checking the name against B2's rules and the 100-bucket limit
 * first, so the user reads which rule is broken rather than B2's bad_request.
 */
export async function createAccountBucket(context: Context, name: string): Promise<B2Bucket> {
  const badName = validateB2BucketName(name);
  if (badName) throw new ProviderError('invalid', badName);
  const existing = await accountBuckets(context);
  if (existing.some((b) => sameBucketName(b.bucketName, name))) throw new ProviderError('conflict', `bucket "${name}" exists already in this account (B2 bucket names are case-insensitive)`);
  if (existing.length >= MAX_BUCKETS_PER_ACCOUNT) throw tooManyBuckets(name);
  const auth = await context.client.authorization();
  try {
    return await context.errors.run(`create bucket "${name}"`, () =>
      context.client.call<B2Bucket>('b2_create_bucket', { accountId: auth.accountId, bucketName: name, bucketType: 'allPrivate' }),
    );
  } catch (error) {
    const code = b2CodeOf(error);
    if (code === 'too_many_buckets') throw tooManyBuckets(name);
    if (code === 'duplicate_bucket_name') {
      throw new ProviderError('conflict', `bucket name "${name}" is taken: B2 bucket names are unique across all B2 accounts; choose another`, { cause: error });
    }
    throw error;
  }
}
