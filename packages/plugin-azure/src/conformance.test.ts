import { runProviderConformance, type ConformanceTarget } from '@nimbus/testkit';
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { azureConfigSchema } from './config.js';
import { connectAzure } from './connect.js';
import { containerSasUrl, connectWith, deletePrefix, freshContainer, TEST_CONTEXT } from './test-support/azurite-account.js';

// One container per suite, a fresh prefix of it per test.
const container = await freshContainer('conformance');

const setupWith = (settings: Record<string, unknown>) => async (): Promise<ConformanceTarget> => {
  const prefix = `case-${randomUUID()}`;
  const provider = await connectWith({ container: container.name, prefix, ...settings });
  return { provider, cleanup: () => deletePrefix(container.client, prefix) };
};

/** Connected with nothing but a container SAS URL, as a user holding only a SAS would be. */
const setupWithSas = async (): Promise<ConformanceTarget> => {
  const prefix = `sas-${randomUUID()}`;
  const config = azureConfigSchema.parse({ serviceUrl: await containerSasUrl(container.name), prefix });
  const provider = await connectAzure(config, TEST_CONTEXT);
  return { provider, cleanup: () => deletePrefix(container.client, prefix) };
};

await Promise.all([
  runProviderConformance(test, { name: 'azure', setup: setupWith({}) }),
  // Small blocks: the 12 MiB case goes up as 48 staged blocks, 3 at a time.
  runProviderConformance(test, { name: 'azure small blocks', setup: setupWith({ blockSize: 256 * 1024, concurrency: 3 }) }),
  runProviderConformance(test, { name: 'azure via SAS', setup: setupWithSas }),
]);
// Hooks count as declarations: only after the suites have declared theirs.
test.after.always(container.cleanup);
