import test from 'ava';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { restoreProfile, runBackup, UserError, validateProfile, type ProfileInput } from '@nimbus/kernel';
import { MASKS, maskCapabilities, treeDigest, writeTree } from '@nimbus/testkit';
import { harness, transferred, wrappedLocal, type Harness } from './harness.js';

const T0 = new Date('2024-02-29T12:00:00.250Z').getTime();
const PASSWORD = 'correct horse battery staple';
const tree = {
  'notes.txt': { content: 'secret notes '.repeat(500), mtime: T0 },
  'empty.txt': { content: '', mtime: T0 + 1 },
  'data/random.bin': { size: 300_000, seed: 5, mtime: T0 + 2 },
  'data/deep/log.txt': { content: 'line\n'.repeat(20_000), mtime: T0 + 3 },
};
const secured: Partial<ProfileInput> = { compression: true, encryption: { password: PASSWORD } };

function loaded(h: Harness, profile: Partial<ProfileInput>, provider = 'local') {
  return validateProfile({ name: 'test', source: h.source, destination: { provider, path: h.destination }, ...profile }, 'test profile', '/', 'test');
}

async function restore(h: Harness, profile: Partial<ProfileInput>, target: string, provider = 'local') {
  return restoreProfile({ loaded: loaded(h, profile, provider), registry: h.registry, target, env: { NIMBUS_DATA_DIR: h.dataDir }, retry: { retries: 0, minDelayMs: 1, maxDelayMs: 1 } });
}

test('a compressed, encrypted backup is unreadable at the destination and restores byte for byte with mtimes', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, tree);
  const first = await h.run({ profile: secured });
  t.is(first.exitCode, 0, JSON.stringify(first.failures));
  const stored = await readFile(join(h.destination, 'notes.txt'));
  t.false(stored.includes(Buffer.from('secret notes')), 'no plaintext at the destination');
  t.true(stored.length < 6500 / 4, 'compressed before encryption');
  t.is(transferred(await h.run({ profile: secured })), 0, 'change detection compares originals, not stored bytes');

  const target = join(h.source, '..', 'restored');
  const report = await restore(h, secured, target);
  t.is(report.exitCode, 0, JSON.stringify(report.failures));
  t.deepEqual(await treeDigest(target), await treeDigest(h.source));
  t.is(Math.round((await stat(join(target, 'data/deep/log.txt'))).mtimeMs), T0 + 3);
});

test('after losing the database, objects are still recognised and restored (flags read back)', async (t) => {
  const metadataLocal = wrappedLocal('meta', (p) => p);
  const h = await harness(t, [metadataLocal]);
  await writeTree(h.source, tree);
  await h.run({ profile: secured });
  const { rm } = await import('node:fs/promises');
  await rm(h.dataDir, { recursive: true });
  const target = join(h.source, '..', 'restored');
  const report = await restore(h, secured, target);
  t.is(report.exitCode, 0, JSON.stringify(report.failures));
  t.deepEqual(await treeDigest(target), await treeDigest(h.source));
});

test('a wrong password is one clear error before anything moves, for backup and restore', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, tree);
  await h.run({ profile: secured });
  await writeFile(join(h.source, 'new.txt'), 'new');
  const wrong = { ...secured, encryption: { password: 'not the right one' } };
  const error = await t.throwsAsync(runBackup({ loaded: loaded(h, wrong), registry: h.registry, env: { NIMBUS_DATA_DIR: h.dataDir } }), { instanceOf: UserError });
  t.regex(error!.message, /wrong password for profile test/);
  t.false(existsSync(join(h.destination, 'new.txt')), 'nothing encrypted under a second password');
  const target = join(h.source, '..', 'restored');
  await t.throwsAsync(restore(h, wrong, target), { instanceOf: UserError, message: /wrong password/ });
  t.false(existsSync(join(target, 'notes.txt')));
});

test('one flipped byte in a stored object is detected on restore and no partial file is left', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, tree);
  await h.run({ profile: secured });
  const victim = join(h.destination, 'data', 'random.bin');
  const bytes = await readFile(victim);
  bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
  await writeFile(victim, bytes);
  const target = join(h.source, '..', 'restored');
  const report = await restore(h, secured, target);
  t.is(report.exitCode, 1);
  t.is(report.failures.length, 1);
  t.is(report.failures[0]!.path, 'data/random.bin');
  t.regex(report.failures[0]!.error, /tamper|damaged|corrupt|authentic/i);
  t.deepEqual((await readdir(join(target, 'data'))).sort(), ['deep'], 'no partial or temp file for the damaged one');
  t.is(report.counts.restored, 3);
});

test('password from the environment; a prompt with no terminal fails at once', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, tree);
  const fromEnv = { compression: false, encryption: { passwordEnv: 'NIMBUS_TEST_PW' } } as Partial<ProfileInput>;
  await t.throwsAsync(runBackup({ loaded: loaded(h, fromEnv), registry: h.registry, env: { NIMBUS_DATA_DIR: h.dataDir } }), {
    instanceOf: UserError,
    message: /takes its password from \$NIMBUS_TEST_PW, which is not set/,
  });
  const ok = await runBackup({ loaded: loaded(h, fromEnv), registry: h.registry, env: { NIMBUS_DATA_DIR: h.dataDir, NIMBUS_TEST_PW: PASSWORD } });
  t.is(ok.exitCode, 0);
  const prompted = { encryption: { prompt: true } } as Partial<ProfileInput>;
  await t.throwsAsync(runBackup({ loaded: loaded(h, prompted), registry: h.registry, env: { NIMBUS_DATA_DIR: h.dataDir } }), {
    instanceOf: UserError,
    message: /asks for its password at each run, but no terminal is attached/,
  });
  const answered = await runBackup({ loaded: loaded(h, prompted), registry: h.registry, env: { NIMBUS_DATA_DIR: h.dataDir }, promptPassword: async () => PASSWORD });
  t.is(answered.exitCode, 0);
});

test('encryption works through the no-metadata fallback too (flags live in the database)', async (t) => {
  const bare = wrappedLocal('bare', (p) => maskCapabilities(p, MASKS.allFallbacks));
  const h = await harness(t, [bare]);
  await writeTree(h.source, tree);
  t.is((await h.run({ provider: 'bare', profile: secured })).exitCode, 0);
  const target = join(h.source, '..', 'restored');
  const report = await restore(h, secured, target, 'bare');
  t.is(report.exitCode, 0, JSON.stringify(report.failures));
  t.deepEqual(await treeDigest(target), await treeDigest(h.source));
});

test('profile encryption settings are validated', (t) => {
  const bad = (encryption: unknown) => () => validateProfile({ source: '/s', destination: { provider: 'local' }, encryption }, 'p.yaml', '/', 'p');
  t.throws(bad({}), { message: /give exactly one of password, passwordEnv or prompt: true/ });
  t.throws(bad({ password: 'short' }), { message: /at least 8 characters/ });
  t.throws(bad({ password: 'long enough pw', prompt: true }), { message: /exactly one/ });
});
