import { isProviderError, silentLogger } from '@nimbus/kernel';
import { digestStream, ensureKeystoneServer, randomBytesStream, type KeystoneServer } from '@nimbus/testkit';
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { openstackConfigSchema } from './config.js';
import { connectOpenstack } from './connect.js';
import type { OpenstackProvider } from './openstack-provider.js';

// End to end on Debian's Keystone 22 (Identity v3) and a Swift proxy with authtoken +
// keystoneauth over the same Swift back ends: no fake anywhere.
const MiB = 1024 * 1024;
const CONTAINER = 'nimbus-openstack-keystone';

async function connect(keystone: KeystoneServer, settings: Record<string, unknown>): Promise<OpenstackProvider> {
  const config = openstackConfigSchema.parse({
    authUrl: keystone.authUrl, container: CONTAINER, path: `k-${randomUUID()}`,
    largeFileThreshold: 2 * MiB, segmentSize: MiB, ...settings,
  });
  return (await connectOpenstack(config, { dryRun: false, logger: silentLogger })) as OpenstackProvider;
}

async function roundTrip(t: import('ava').ExecutionContext, provider: OpenstackProvider): Promise<void> {
  const size = 3 * MiB; // segmented: segments, manifest and read all go through keystoneauth
  await provider.write('big.bin', randomBytesStream(size, 'ks'), { size, metadata: { 'nimbus-mtime': '1' } });
  t.is((await provider.stat('big.bin'))?.metadata?.['nimbus-mtime'], '1');
  t.deepEqual(await digestStream(await provider.read('big.bin')), await digestStream(randomBytesStream(size, 'ks')));
  await provider.delete('big.bin');
  t.is(await provider.stat('big.bin'), undefined);
}

test('Identity v3 on real Keystone: user, password, project and domain; large file via the catalog endpoint', async (t) => {
  const keystone = await ensureKeystoneServer();
  const provider = await connect(keystone, { useIdentityV3: true, user: keystone.user, key: keystone.password, tenant: keystone.project, domain: keystone.domain, region: keystone.region });
  t.true((await provider.client.session.credentials()).storageUrl.startsWith(`${keystone.swiftUrl}/v1/AUTH_`));
  await roundTrip(t, provider);
});

test('Identity v3 on real Keystone: application credentials', async (t) => {
  const keystone = await ensureKeystoneServer();
  // Created through the Identity API with the user's own token, as a user would.
  const login = await fetch(`${keystone.authUrl}/auth/tokens`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ auth: {
      identity: { methods: ['password'], password: { user: { name: keystone.user, domain: { name: keystone.domain }, password: keystone.password } } },
      scope: { project: { name: keystone.project, domain: { name: keystone.domain } } },
    } }),
  });
  const token = login.headers.get('x-subject-token')!;
  const userId = ((await login.json()) as any).token.user.id;
  const created = await fetch(`${keystone.authUrl}/users/${userId}/application_credentials`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Auth-Token': token },
    body: JSON.stringify({ application_credential: { name: `nimbus-${randomUUID()}` } }),
  });
  t.is(created.status, 201);
  const credential = ((await created.json()) as any).application_credential;
  const provider = await connect(keystone, { authVersion: 3, applicationCredentialId: credential.id, applicationCredentialSecret: credential.secret });
  await roundTrip(t, provider);

  const refused = await t.throwsAsync(connect(keystone, { authVersion: 3, applicationCredentialId: credential.id, applicationCredentialSecret: 'wrong-secret-3' }));
  t.true(isProviderError(refused, 'auth'));
  t.false(refused!.message.includes('wrong-secret-3'));
});

test('Identity v3 on real Keystone: a wrong password is an auth error', async (t) => {
  const keystone = await ensureKeystoneServer();
  const refused = await t.throwsAsync(connect(keystone, { authVersion: 3, user: keystone.user, key: 'bad-password-1', tenant: keystone.project }));
  t.true(isProviderError(refused, 'auth'));
});
