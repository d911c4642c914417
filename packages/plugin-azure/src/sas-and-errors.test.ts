import { isProviderError, ProviderError, runProfile, PluginRegistry, validateProfile, UserError } from '@nimbus/kernel';
import { makeTempDir, startAzureArchiveProxy, writeTree } from '@nimbus/testkit';
import test from 'ava';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import plugin from './index.js';
import { azureConfigSchema } from './config.js';
import { connectAzure } from './connect.js';
import { containerSasUrl, connectWith, freshContainer, TEST_CONTEXT, testAccount } from './test-support/azurite-account.js';

const body = (text: string) => Readable.from([Buffer.from(text)]);
const sigOf = (url: string) => new URL(url).searchParams.get('sig')!;

/** No key, no signature: neither in the message nor anywhere util.inspect can reach. */
function assertNoSecrets(t: import('ava').ExecutionContext, error: unknown, secrets: string[]): void {
  const shown = `${String(error)}\n${inspect(error, { depth: 10 })}`;
  for (const secret of secrets) {
    t.false(shown.includes(secret) || shown.includes(encodeURIComponent(secret)), 'a secret leaked into the error');
  }
}

test('a container SAS URL alone is enough: write, list, read; the place is named without the signature', async (t) => {
  const container = await freshContainer('sas');
  t.teardown(container.cleanup);
  const serviceUrl = await containerSasUrl(container.name);
  const config = azureConfigSchema.parse({ serviceUrl, prefix: 'via-sas' });
  t.is(plugin.describeLocation!(config, { baseDir: '/' }), `${(await testAccount()).server.blobEndpoint}/${container.name}/via-sas`);
  const provider = await connectAzure(config, TEST_CONTEXT);
  await provider.write('hello.txt', body('hello'), { size: 5 });
  t.is((await container.client.getBlobClient('via-sas/hello.txt').downloadToBuffer()).toString(), 'hello');
  t.like(await provider.stat('hello.txt'), { size: 5, hashes: { md5: '5d41402abc4b2a76b9719d911017c592' } });
});

test('a read-only SAS: reads work, writes fail as permission, and no signature leaks', async (t) => {
  const container = await freshContainer('sas-ro');
  t.teardown(container.cleanup);
  await container.client.getBlockBlobClient('present.txt').upload('here', 4);
  const serviceUrl = await containerSasUrl(container.name, undefined, 'rl');
  const provider = await connectAzure(azureConfigSchema.parse({ serviceUrl }), TEST_CONTEXT);
  t.is((await provider.stat('present.txt'))?.size, 4);
  const error = await t.throwsAsync(provider.write('new.txt', body('no'), { size: 2 }));
  t.true(isProviderError(error, 'permission') || isProviderError(error, 'auth'), String(error));
  assertNoSecrets(t, error, [sigOf(serviceUrl)]);
});

test('a SAS for a missing container says so in one line, naming the container', async (t) => {
  const serviceUrl = await containerSasUrl('does-not-exist-sas');
  const error = await t.throwsAsync(connectAzure(azureConfigSchema.parse({ serviceUrl }), TEST_CONTEXT), { instanceOf: UserError });
  t.is(error!.message, 'container "does-not-exist-sas" does not exist, and a SAS cannot create it: create it in the portal or fix the SAS URL');
});

test('a wrong account key fails at connect as auth, and the kernel turns that into a usage error without the key', async (t) => {
  const { server } = await testAccount();
  const wrongKey = Buffer.alloc(64, 9).toString('base64');
  const error = await t.throwsAsync(connectWith({ container: 'anything', accountKey: wrongKey }));
  t.true(isProviderError(error, 'auth'), String(error));
  assertNoSecrets(t, error, [wrongKey]);

  const dir = await makeTempDir('nimbus-azure-auth-');
  t.teardown(dir.cleanup);
  await writeTree(join(dir.path, 'source'), { 'a.txt': 'a' });
  const registry = new PluginRegistry();
  registry.register(plugin);
  const loaded = validateProfile(
    { name: 'auth', source: join(dir.path, 'source'), destination: { provider: 'azure', accountName: server.accountName, accountKey: wrongKey, serviceUrl: server.blobEndpoint, container: 'anything' } },
    'test profile', dir.path, 'test',
  );
  const usage = await t.throwsAsync(runProfile({ loaded, registry, env: { NIMBUS_DATA_DIR: join(dir.path, 'data') } }), { instanceOf: UserError });
  t.regex(usage!.message, /refused the credentials/);
  t.false(usage!.message.includes(wrongKey));
});

test('a missing container is created on connect, but not in a dry run', async (t) => {
  const { service } = await testAccount();
  const name = `created-${Date.now().toString(36)}`;
  t.teardown(async () => void (await service.getContainerClient(name).deleteIfExists()));
  const dry = await connectWith({ container: name }, { ...TEST_CONTEXT, dryRun: true });
  t.false(await service.getContainerClient(name).exists(), 'a dry run creates nothing');
  const listed = [];
  for await (const page of dry.list('', { recursive: true })) listed.push(...page);
  t.deepEqual(listed, [], 'a missing container lists as empty');
  t.is(await dry.stat('x.txt'), undefined);
  await connectWith({ container: name });
  t.true(await service.getContainerClient(name).exists());
});

test('service errors are classified in one SDK try: busy and 429 → throttled with Retry-After, 5xx → transient, 404s, never a signature', async (t) => {
  const { server } = await testAccount();
  const container = await freshContainer('faults');
  t.teardown(container.cleanup);
  const proxy = await startAzureArchiveProxy({ target: server });
  t.teardown(() => proxy.close());
  const serviceUrl = await containerSasUrl(container.name, proxy.blobEndpoint);
  const provider = await connectAzure(azureConfigSchema.parse({ serviceUrl }), TEST_CONTEXT);
  await provider.write('file.txt', body('content'), { size: 7 });

  // One failure each: the SDK does not retry (the kernel's retry, through the run's pacer, is the one
  // retry layer), so it reaches the caller. "ServerBusy ... The server is currently unable to receive requests. Please retry your request."
  proxy.injectFault({ status: 503, code: 'ServerBusy', retryAfter: '7', times: 1, match: (r) => r.method === 'HEAD' });
  const busy = await t.throwsAsync(provider.stat('file.txt'));
  t.true(isProviderError(busy, 'throttled'), String(busy));
  t.is((busy as ProviderError).retryAfterSeconds, 7);
  assertNoSecrets(t, busy, [sigOf(serviceUrl)]);

  proxy.injectFault({ status: 500, code: 'InternalError', times: 1, match: (r) => r.method === 'GET' && r.blob === 'file.txt' });
  t.true(isProviderError(await t.throwsAsync(provider.read('file.txt')), 'transient'));

  proxy.injectFault({ status: 429, code: 'TooManyRequests', retryAfter: '2', times: 1, match: (r) => r.method === 'PUT' });
  const throttled = await t.throwsAsync(provider.write('other.txt', body('x'), { size: 1 }));
  t.true(isProviderError(throttled, 'throttled'), String(throttled));
  t.is((throttled as ProviderError).retryAfterSeconds, 2);

  const missing = await t.throwsAsync(provider.read('missing.txt'));
  t.true(isProviderError(missing, 'not-found'), String(missing));
  t.regex(missing!.message, /"missing\.txt"/);

  proxy.injectFault({ status: 403, code: 'AuthenticationFailed', times: 1 });
  const refused = await t.throwsAsync(provider.stat('file.txt'));
  t.true(isProviderError(refused, 'auth'), String(refused));

  proxy.injectFault({ status: 404, code: 'ContainerNotFound', times: 1, match: (r) => r.method === 'GET' });
  const gone = await t.throwsAsync(provider.read('file.txt'));
  t.true(isProviderError(gone, 'not-found'));
  t.regex(gone!.message, new RegExp(`container "${container.name}" does not exist`));

  proxy.injectFault({ status: 409, code: 'BlobArchived', times: 1 });
  t.true(isProviderError(await t.throwsAsync(provider.read('file.txt')), 'archived'));
});
