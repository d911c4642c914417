import { silentLogger } from '@nimbus/kernel';
import { digestStream, ensureSwiftServer, randomBytesStream, revokeSwiftToken, startIdentityFake, SWIFT_SPARE_USER } from '@nimbus/testkit';
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { openstackConfigSchema } from './config.js';
import { connectOpenstack } from './connect.js';
import { localExpiry } from './identity/token-lifetime.js';
import type { OpenstackProvider } from './openstack-provider.js';
import { removeFolder } from './testing/swift-target.js';

const MiB = 1024 * 1024;
const SIZE = 8 * MiB;

/**
 * 8 MiB in 1 MiB chunks; after the 4th chunk it waits for `midway()` (which revokes the
 * token), so segments 5–8 are surely sent with a token Swift no longer accepts.
 */
function bodyRevokingMidway(midway: () => Promise<void>): Readable {
  const data = randomBytesStream(SIZE, 'expiry');
  return Readable.from((async function* () {
    let taken = 0;
    let revoked = false;
    for await (const chunk of data) {
      yield chunk as Buffer;
      taken += (chunk as Buffer).length;
      if (!revoked && taken >= 4 * MiB) {
        revoked = true;
        await midway();
      }
    }
  })(), { objectMode: false });
}

/** Makes the plugin's current token invalid, as an expiry would; true when it was live. */
type Expire = (token: string) => Promise<boolean>;

async function expireMidUpload(t: import('ava').ExecutionContext, settings: Record<string, unknown>, expire: Expire = revokeSwiftToken): Promise<OpenstackProvider> {
  const swift = await ensureSwiftServer();
  // The spare tempauth user: revoking its token disturbs no other test.
  const config = openstackConfigSchema.parse({
    container: 'nimbus-openstack-expiry', path: `x-${randomUUID()}`,
    largeFileThreshold: 2 * MiB, segmentSize: MiB, segmentConcurrency: 2, ...settings,
  });
  t.teardown(() => removeFolder({ ...swift, user: `${SWIFT_SPARE_USER.account}:${SWIFT_SPARE_USER.user}`, key: SWIFT_SPARE_USER.key }, config));
  const provider = (await connectOpenstack(config, { dryRun: false, logger: silentLogger })) as OpenstackProvider;
  let revokedToken = '';
  const entry = await provider.write('long-upload.bin', bodyRevokingMidway(async () => {
    revokedToken = (await provider.client.session.credentials()).token;
    t.true(await expire(revokedToken), 'the token was live until now');
  }), { size: SIZE });
  t.is(entry.size, SIZE);
  t.is(provider.client.session.authentications, 2, 'one renewal after the 401, shared by the parallel segments');
  t.not((await provider.client.session.credentials()).token, revokedToken);
  t.deepEqual(await digestStream(await provider.read('long-upload.bin')), await digestStream(randomBytesStream(SIZE, 'expiry')));
  return provider;
}

test.serial('auth v1: a token that expires in the middle of a segmented upload is renewed and the upload completes', async (t) => {
  const swift = await ensureSwiftServer();
  await expireMidUpload(t, { authUrl: swift.authUrl, user: `${SWIFT_SPARE_USER.account}:${SWIFT_SPARE_USER.user}`, key: SWIFT_SPARE_USER.key });
});

test.serial('Identity v3: the renewal goes back to the Identity service', async (t) => {
  const swift = await ensureSwiftServer();
  const identity = await startIdentityFake({
    users: [{ name: 'carol', password: 'carol-pw', project: { name: 'p', id: 'p-1' }, swift: { authUrl: swift.authUrl, user: `${SWIFT_SPARE_USER.account}:${SWIFT_SPARE_USER.user}`, key: SWIFT_SPARE_USER.key } }],
  });
  t.teardown(() => identity.close());
  // The fake's tokens stand for tempauth tokens; the fake decides when they expire.
  await expireMidUpload(t, { authUrl: identity.v3Url, user: 'carol', key: 'carol-pw', tenant: 'p' }, async (token) => identity.expireToken(token));
  t.is(identity.issued.v3, 2, 'the first token, then the renewed one');
  t.true(identity.refusedRequests >= 1, 'the object store refused the expired token');
});

function daveIdentity(swift: Awaited<ReturnType<typeof ensureSwiftServer>>, tokenLifetimeSeconds?: number) {
  return startIdentityFake({
    users: [{ name: 'dave', password: 'dave-pw', project: { name: 'p2', id: 'p2-1' }, swift: { authUrl: swift.authUrl, user: `${SWIFT_SPARE_USER.account}:${SWIFT_SPARE_USER.user}`, key: SWIFT_SPARE_USER.key } }],
    ...(tokenLifetimeSeconds !== undefined ? { tokenLifetimeSeconds } : {}),
  });
}

test.serial('Identity v2: a token that expires in the middle of a segmented upload is renewed at the Identity service and the upload completes', async (t) => {
  const swift = await ensureSwiftServer();
  const identity = await daveIdentity(swift);
  t.teardown(() => identity.close());
  await expireMidUpload(t, { authUrl: identity.v2Url, user: 'dave', key: 'dave-pw', tenant: 'p2' }, async (token) => identity.expireToken(token));
  t.is(identity.issued.v2, 2, 'the first token, then the renewed one');
  t.true(identity.refusedRequests >= 1, 'segments sent with the expired token were refused, then sent again');
});

test.serial('Identity v2 with tokens that live 2 s: a segmented upload outliving its token renews it once per expiry, not before every request', async (t) => {
  const swift = await ensureSwiftServer();
  const identity = await daveIdentity(swift, 2);
  t.teardown(() => identity.close());
  const config = openstackConfigSchema.parse({
    container: 'nimbus-openstack-expiry', path: `short-${randomUUID()}`, authUrl: identity.v2Url, user: 'dave', key: 'dave-pw', tenant: 'p2',
    largeFileThreshold: 2 * MiB, segmentSize: MiB, segmentConcurrency: 2,
  });
  t.teardown(() => removeFolder({ ...swift, user: `${SWIFT_SPARE_USER.account}:${SWIFT_SPARE_USER.user}`, key: SWIFT_SPARE_USER.key }, config));
  const provider = (await connectOpenstack(config, { dryRun: false, logger: silentLogger })) as OpenstackProvider;
  // Halfway, the upload waits until the token it started with has expired.
  const entry = await provider.write('outlives-its-token.bin', bodyRevokingMidway(async () => {
    const { expiresAt } = await provider.client.session.credentials();
    t.truthy(expiresAt, 'the plugin read access.token.expires');
    while (Date.now() <= expiresAt!) await delay(100);
  }), { size: SIZE });
  t.is(entry.size, SIZE);
  t.deepEqual(await digestStream(await provider.read('outlives-its-token.bin')), await digestStream(randomBytesStream(SIZE, 'expiry')));
  const segmentRequests = SIZE / MiB;
  t.true(identity.issued.v2 >= 2, 'the token was renewed');
  t.true(identity.issued.v2 < segmentRequests, `renewed per expiry, not per request (${identity.issued.v2} tokens for ${segmentRequests} segments)`);
});

test('a token\'s expiry is counted by our clock from its stated lifetime, whatever the Identity service\'s clock says', (t) => {
  const received = Date.UTC(2026, 0, 1, 12, 0, 0);
  // The service's clock is an hour ahead: its expires is in our future by an hour and a minute.
  t.is(localExpiry('2026-01-01T13:01:00Z', '2026-01-01T13:00:00.000000Z', received), received + 60_000);
  t.is(localExpiry('2026-01-01T11:01:00Z', '2026-01-01T11:00:00Z', received), received + 60_000, 'an hour behind');
  t.is(localExpiry('2026-01-01T12:05:00Z', undefined, received), Date.UTC(2026, 0, 1, 12, 5), 'without issued_at, expires as stated');
  t.is(localExpiry(undefined, '2026-01-01T12:00:00Z', received), undefined);
});
