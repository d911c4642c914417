import { silentLogger } from '@nimbus/kernel';
import { digestStream, ensureSwiftServer, randomBytesStream, revokeSwiftToken, startIdentityFake, SWIFT_SPARE_USER } from '@nimbus/testkit';
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { openstackConfigSchema } from './config.js';
import { connectOpenstack } from './connect.js';
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
