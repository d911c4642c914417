import { runProviderConformance } from '@nimbus/testkit';
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { connectS3 } from './connect.js';
import { createTestBucket, deleteTestBucket, emptyPrefix, ensureSwiftServer, rawClient, swiftConfig, testContext } from './test-support/swift-s3.js';

const server = await ensureSwiftServer();
const admin = rawClient(server);
const plainBucket = await createTestBucket(admin, 'conformance');
const versionedBucket = await createTestBucket(admin, 'conformance-v', { versioned: true });

/** A provider on a fresh prefix of `bucket`, emptied afterwards (versions included). */
const setupIn = (bucket: string, extra: Record<string, unknown> = {}) => async () => {
  const prefix = `run-${randomUUID()}`;
  const provider = await connectS3(swiftConfig(server, bucket, { prefix, ...extra }), testContext());
  return { provider, cleanup: () => emptyPrefix(admin, bucket, `${prefix}/`) };
};

await Promise.all([
  runProviderConformance(test, { name: 's3 on swift', setup: setupIn(plainBucket) }),
  runProviderConformance(test, { name: 's3 on swift, versioned bucket, multipart from 5 MiB', setup: setupIn(versionedBucket, { multipartThreshold: 5 * 1024 * 1024 }) }),
]);

test.after.always(async () => {
  await Promise.all([deleteTestBucket(admin, plainBucket), deleteTestBucket(admin, versionedBucket)]);
  admin.destroy();
});
