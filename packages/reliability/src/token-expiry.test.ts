import { ensureSwiftServer, makeTempDir, revokeSwiftToken, startB2Fake, startFaultInjectionProxy, startIdentityFake, treeDigest, writeTree } from '@nimbus/testkit';
import test from 'ava';
import { join } from 'node:path';
import { recordedState } from './support/database.js';
import { inProcessBackup } from './support/in-process.js';
import { sourceSpec } from './support/source-tree.js';
import { swiftNativeTarget } from './support/targets.js';

const MiB = 1024 * 1024;

// Plugin-level cases already exist: plugin-openstack/src/token-expiry.test.ts (v1 and Identity v3)
// and plugin-b2/src/uploads.test.ts (expired token mid large upload). These go end to end
// through the kernel's runBackup with several files, as the CLI runs them.

test('swift-native: the tempauth token expires in the middle of a segmented upload; the backup renews it and completes', async (t) => {
  const target = await swiftNativeTarget('token');
  t.teardown(() => target.cleanup());
  const swift = await ensureSwiftServer();
  const dir = await makeTempDir('nimbus-token-swift-');
  t.teardown(dir.cleanup);
  const source = join(dir.path, 'source');
  await writeTree(source, { 'long upload.bin': { size: 16 * MiB, seed: 'token' }, 'a.txt': 'a', 'b/c.txt': 'c' });
  const proxy = await startFaultInjectionProxy({ target: target.upstream, seed: 'token', dialect: 'swift' });
  t.teardown(proxy.close);
  // tempauth hands every client of the user the same token while it is valid: this is the one the plugin holds.
  const token = (await fetch(swift.authUrl, { headers: { 'x-auth-user': swift.user, 'x-auth-key': swift.key } })).headers.get('x-auth-token')!;
  let revoked: Promise<boolean> | undefined;
  proxy.alwaysFail((r) => {
    if (!revoked && /\.Part3\.DO_NOT_REMOVE$/.test(r.path)) revoked = revokeSwiftToken(token);
    return false; // a watcher, not a fault
  });
  const report = await inProcessBackup({ dir: dir.path, source, destination: target.destination(proxy.endpoint), transfers: 2 }).run();
  t.true(await revoked, 'the token was revoked while segments were going up');
  t.deepEqual(report.failures, []);
  t.true(proxy.seen.filter((r) => r.path.endsWith('/auth/v1.0')).length >= 2, 'the plugin authenticated again');
  t.deepEqual(await target.objects(), await treeDigest(source));
  t.deepEqual(await target.leftovers(), []);
});

test('b2 (fake): every token expires between two parts of a large file; the backup authorizes again and completes', async (t) => {
  const fake = await startB2Fake({ buckets: ['nimbus-token'], recommendedPartSize: 5 * 1000 * 1000 });
  t.teardown(() => fake.close());
  const dir = await makeTempDir('nimbus-token-b2-');
  t.teardown(dir.cleanup);
  const source = join(dir.path, 'source');
  await writeTree(source, { 'long upload.bin': { size: 16 * MiB, seed: 'token-b2' }, 'a.txt': 'a' });
  let expired = false;
  // Parts go up in parallel, so the count seen when one answers may already have moved past 2.
  fake.onCall((name, n) => {
    if (name === 'b2_upload_part' && n >= 2 && !expired) {
      expired = true;
      fake.expireAuthTokens();
    }
  });
  const destination = { provider: 'b2', keyId: fake.keyId, applicationKey: fake.applicationKey, bucket: 'nimbus-token', apiUrl: fake.url, prefix: 'root' };
  const report = await inProcessBackup({ dir: dir.path, source, destination }).run();
  t.true(expired);
  t.deepEqual(report.failures, []);
  t.true(fake.callCount('b2_authorize_account') >= 2, 'authorized again');
  t.is(fake.versionsOf('nimbus-token', 'root/long upload.bin').length, 1, 'one file version, no duplicate');
  t.is(fake.store.largeFiles.size, 0, 'no unfinished large file left');
});

test('swift-native through Identity v2 (fake) whose tokens live 2 s and are also revoked every second: the backup renews them as it goes; every object exact, nothing left over', async (t) => {
  const target = await swiftNativeTarget('identity');
  t.teardown(() => target.cleanup());
  const swift = await ensureSwiftServer();
  const identity = await startIdentityFake({
    users: [{ name: 'reliability', password: 'reliability-pw', project: { name: 'backups', id: 'p-backups' }, swift: { authUrl: swift.authUrl, user: swift.user, key: swift.key } }],
    tokenLifetimeSeconds: 2,
  });
  t.teardown(() => identity.close());
  const dir = await makeTempDir('nimbus-token-identity-');
  t.teardown(dir.cleanup);
  const source = join(dir.path, 'source');
  await writeTree(source, sourceSpec({ files: 300, large: 3, seed: 211 }));
  const destination = { ...target.destination(), authUrl: identity.v2Url, user: 'reliability', key: 'reliability-pw', tenant: 'backups' };
  const backup = inProcessBackup({ dir: dir.path, source, destination, transfers: 4 });
  // Expiry by the clock is mostly renewed ahead of time; revoking every token now and then makes
  // requests in flight meet a token that is no longer valid (401), as an early expiry would.
  // Every second, so a fast machine's run of 3 s still meets several.
  const revokedAt: number[] = [];
  const revoker = setInterval(() => identity.expireAllTokens() > 0 && revokedAt.push(Date.now()), 1000);
  t.teardown(() => clearInterval(revoker));
  const started = Date.now();
  const report = await backup.run();
  const finished = Date.now();
  clearInterval(revoker);
  const revocations = revokedAt.length;
  // A revocation in the run's last moments may meet no request; one with half a second of
  // uploading still to come always does.
  const midRun = revokedAt.filter((at) => at < finished - 500).length;
  const seconds = (finished - started) / 1000;
  t.log(`${seconds.toFixed(1)} s, ${identity.issued.v2} tokens issued, ${revocations} revocations, ${identity.refusedRequests} requests refused for an expired token`);
  t.deepEqual(report.failures, []);
  t.is(report.exitCode, 0);
  t.true(identity.issued.v2 >= 2, 'tokens were renewed during the run');
  // Whether a revocation meets a request in flight depends on timing (a quiet machine can finish
  // its uploads between two revocations), so it is reported, not asserted; the renewal after a
  // 401 is asserted deterministically in plugin-openstack's token-expiry tests.
  t.log(`${midRun} revocations before the run's last half second`);
  const stored = await target.objects();
  t.deepEqual(stored, await treeDigest(source), 'every object byte for byte, no extra or duplicate object');
  t.deepEqual(await target.leftovers(), [], 'no orphan segment');
  const db = await recordedState(backup.dataDir);
  t.deepEqual(db.paths, [...stored.keys()].sort(), 'the cloud database records exactly the stored objects');
});
