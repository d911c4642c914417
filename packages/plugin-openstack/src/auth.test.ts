import { isProviderError, silentLogger, UserError } from '@nimbus/kernel';
import { ensureSwiftServer, startIdentityFake, SWIFT_SPARE_USER, type IdentityFake } from '@nimbus/testkit';
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { openstackConfigSchema, type OpenstackConfig } from './config.js';
import { connectOpenstack } from './connect.js';
import type { OpenstackProvider } from './openstack-provider.js';
import { removeFolder } from './testing/swift-target.js';
import { Readable } from 'node:stream';

const CONTAINER = 'nimbus-openstack-auth';
let identity: IdentityFake;

test.before(async () => {
  const swift = await ensureSwiftServer();
  identity = await startIdentityFake({
    users: [
      { name: 'alice', id: 'u-alice', password: 'alice-pw', project: { name: 'backup', id: 'p-backup' }, swift: { authUrl: swift.authUrl, user: swift.user, key: swift.key } },
      { name: 'bob', password: 'bob-pw', domain: 'Corp', project: { name: 'vault', id: 'p-vault', domain: 'Corp' }, swift: { authUrl: swift.authUrl, user: `${SWIFT_SPARE_USER.account}:${SWIFT_SPARE_USER.user}`, key: SWIFT_SPARE_USER.key } },
    ],
    applicationCredentials: [{ id: 'ac-1', name: 'nimbus-backup', secret: 'ac-secret', user: 'alice' }],
    extraRegions: [{ region: 'RegionTwo', url: 'http://127.0.0.1:9/v1/AUTH_elsewhere' }],
  });
});
test.after.always(async () => identity?.close());

async function connect(settings: Record<string, unknown>): Promise<{ provider: OpenstackProvider; config: OpenstackConfig }> {
  const config = openstackConfigSchema.parse({ container: CONTAINER, path: `auth-${randomUUID()}`, ...settings });
  return { provider: (await connectOpenstack(config, { dryRun: false, logger: silentLogger })) as OpenstackProvider, config };
}

/** Writes, lists and reads one object: proves the token and storage URL work on the real Swift. */
async function roundTrip(t: import('ava').ExecutionContext, provider: OpenstackProvider, config: OpenstackConfig): Promise<void> {
  t.teardown(async () => removeFolder(await ensureSwiftServer(), config).catch(() => undefined));
  await provider.write('hello.txt', Readable.from([Buffer.from('hello')]), { size: 5 });
  const listed = [];
  for await (const page of provider.list('')) listed.push(...page);
  t.deepEqual(listed.map((e) => e.path), ['hello.txt']);
  const chunks: Buffer[] = [];
  for await (const c of await provider.read('hello.txt')) chunks.push(c as Buffer);
  t.is(Buffer.concat(chunks).toString(), 'hello');
  await provider.delete('hello.txt');
}

test('auth v1 (tempauth): user and key against the auth URL', async (t) => {
  const swift = await ensureSwiftServer();
  const { provider, config } = await connect({ authUrl: swift.authUrl, user: swift.user, key: swift.key });
  t.is(provider.client.session.authenticator.constructor.name, 'AuthV1');
  await roundTrip(t, provider, config);
});

test('auth v1: a wrong key is an auth error that does not show the key', async (t) => {
  const swift = await ensureSwiftServer();
  const error = await t.throwsAsync(connect({ authUrl: swift.authUrl, user: swift.user, key: 'not-the-key-42' }));
  t.true(isProviderError(error, 'auth'));
  t.false(error!.message.includes('not-the-key-42'));
});

test('Identity v2: password with tenant name, then with tenant id; the catalog gives the real Swift', async (t) => {
  const byName = await connect({ authUrl: identity.v2Url, user: 'alice', key: 'alice-pw', tenant: 'backup' });
  await roundTrip(t, byName.provider, byName.config);
  const byId = await connect({ authUrl: identity.v2Url, authVersion: 2, user: 'alice', key: 'alice-pw', tenantId: 'p-backup', region: 'RegionOne' });
  await roundTrip(t, byId.provider, byId.config);
  const bodies = identity.requests.filter((r) => r.path === '/v2.0/tokens').map((r) => (r.body as any).auth);
  t.true(bodies.some((a) => a.tenantName === 'backup'));
  t.true(bodies.some((a) => a.tenantId === 'p-backup'));
});

test('Identity v2: a wrong password is an auth error; no tenant means no catalog, said in one line', async (t) => {
  const refused = await t.throwsAsync(connect({ authUrl: identity.v2Url, user: 'alice', key: 'wrong-pw-99', tenant: 'backup' }));
  t.true(isProviderError(refused, 'auth'));
  t.false(refused!.message.includes('wrong-pw-99'));
  const unscoped = await t.throwsAsync(connect({ authUrl: identity.v2Url, user: 'alice', key: 'alice-pw' }));
  t.true(unscoped instanceof UserError);
  t.regex(unscoped!.message, /tenant\/project/);
});

test('Identity v3: user, password, project and domains (the "use Identity v3" switch)', async (t) => {
  const { provider, config } = await connect({
    authUrl: identity.url + '/v3/', useIdentityV3: true, user: 'bob', key: 'bob-pw', domain: 'Corp', tenant: 'vault',
  });
  t.is(provider.client.session.authenticator.constructor.name, 'AuthV3');
  await roundTrip(t, provider, config);
  const body = identity.requests.find((r) => r.path === '/v3/auth/tokens' && (r.body as any).auth.identity.password?.user?.name === 'bob')!.body as any;
  t.deepEqual(body.auth.scope, { project: { name: 'vault', domain: { name: 'Corp' } } });
  t.deepEqual(body.auth.identity.password.user.domain, { name: 'Corp' });
});

test('Identity v3: application credentials, by id and by name', async (t) => {
  const byId = await connect({ authUrl: identity.v3Url, applicationCredentialId: 'ac-1', applicationCredentialSecret: 'ac-secret' });
  await roundTrip(t, byId.provider, byId.config);
  const byName = await connect({ authUrl: identity.v3Url, applicationCredentialName: 'nimbus-backup', user: 'alice', applicationCredentialSecret: 'ac-secret' });
  await roundTrip(t, byName.provider, byName.config);
  const refused = await t.throwsAsync(connect({ authUrl: identity.v3Url, applicationCredentialId: 'ac-1', applicationCredentialSecret: 'bad-secret-7' }));
  t.true(isProviderError(refused, 'auth'));
  t.false(refused!.message.includes('bad-secret-7'));
});

test('the object-store endpoint is chosen by region and interface', async (t) => {
  const unknownRegion = await t.throwsAsync(connect({ authUrl: identity.v3Url, user: 'alice', key: 'alice-pw', tenant: 'backup', region: 'Mars' }));
  t.true(unknownRegion instanceof UserError);
  t.regex(unknownRegion!.message, /RegionOne, RegionTwo/);
  // RegionTwo's endpoint is a closed loopback port: choosing it shows in a failed connect.
  const second = await t.throwsAsync(connect({ authUrl: identity.v3Url, user: 'alice', key: 'alice-pw', tenant: 'backup', region: 'RegionTwo' }));
  t.true(isProviderError(second, 'transient'));
  const internal = await connect({ authUrl: identity.v3Url, user: 'alice', key: 'alice-pw', tenant: 'backup', region: 'RegionOne', interface: 'internal' });
  await roundTrip(t, internal.provider, internal.config);
});

test('configuration mistakes are one-line UserErrors', async (t) => {
  const bad = [
    [{ authUrl: identity.v3Url, user: 'alice', key: 'x', container: 'a/b' }, /must not contain "\/"/],
    [{ authUrl: identity.v3Url, user: 'alice', key: 'x', container: 'c'.repeat(257) }, /at most 256 bytes/],
    [{ authUrl: identity.v3Url, user: 'alice' }, /needs user and key/],
    [{ user: 'alice', key: 'x' }, /set authUrl/],
  ] as const;
  for (const [settings, message] of bad) {
    const error = await t.throwsAsync(connect(settings));
    t.true(error instanceof UserError, String(error));
    t.regex(error!.message, message);
    t.false(error!.message.includes('\n'));
  }
});
