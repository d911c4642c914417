import { runProviderConformance } from '@nimbus/testkit';
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { connectB2 } from './connect.js';
import { fakeAccount, fakeConfig, testContext } from './test-support/b2-fake-account.js';

// One fake account for the file; every test gets a fresh prefix of its bucket.
const { fake, bucket } = await fakeAccount();

const setup = (extra: Record<string, unknown> = {}) => async () => {
  const prefix = `run-${randomUUID()}`;
  const provider = await connectB2(fakeConfig(fake, bucket, { prefix, ...extra }), testContext());
  return { provider, cleanup: async () => undefined };
};

await Promise.all([
  runProviderConformance(test, { name: 'b2 (fake)', setup: setup() }),
  // 5 MB parts: the 12 MiB case goes up as a large file in 3 parts, and so do writes of unknown size.
  runProviderConformance(test, { name: 'b2 (fake), large files from 5 MB', setup: setup({ partSize: 5_000_000 }) }),
]);

test.after.always(() => fake.close());
