import test from 'ava';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { oneOffProfile, runProfile, UserError, validateProfile } from '@nimbus/kernel';
import { writeTree } from '@nimbus/testkit';
import { harness } from './harness.js';

test('a missing source folder is a usage error and nothing is written', async (t) => {
  const h = await harness(t);
  const error = await t.throwsAsync(h.run(), { instanceOf: UserError });
  t.regex(error!.message, /source folder .*source does not exist: fix "source" in test profile/);
  t.is(error!.exitCode, 2);
  t.false(existsSync(h.destination));
  t.false(existsSync(h.dataDir));
});

test('a source that is a file is a usage error', async (t) => {
  const h = await harness(t);
  await writeFile(h.source, 'not a folder');
  await t.throwsAsync(h.run(), { instanceOf: UserError, message: /is not a folder/ });
});

test('an unknown provider is a usage error naming the installed ones', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, { 'a.txt': 'a' });
  await t.throwsAsync(h.run({ provider: 'dropbx' }), { instanceOf: UserError, message: /unknown provider "dropbx".*installed: local/ });
  t.false(existsSync(h.dataDir));
});

test('a destination block that fails the plugin\'s schema names the field', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, { 'a.txt': 'a' });
  const loaded = validateProfile({ source: h.source, destination: { provider: 'local', path: '/x', bucket: 'b' } }, 'p.yaml', '/', 'p');
  await t.throwsAsync(runProfile({ loaded, registry: h.registry, env: { NIMBUS_DATA_DIR: h.dataDir } }), {
    instanceOf: UserError,
    message: /p\.yaml: unknown field "destination\.bucket"/,
  });
});

test('a destination that cannot be created is a usage error and nothing is written', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, { 'a.txt': 'a' });
  const blocker = join(h.source, '..', 'a-file');
  await writeFile(blocker, 'x');
  const loaded = validateProfile({ source: h.source, destination: { provider: 'local', path: join(blocker, 'sub') } }, 'p.yaml', '/', 'p');
  const error = await t.throwsAsync(runProfile({ loaded, registry: h.registry, env: { NIMBUS_DATA_DIR: h.dataDir } }), { instanceOf: UserError });
  t.is(error!.exitCode, 2);
  t.is(error!.message.split('\n').length, 1);
  t.false(existsSync(h.dataDir));
});

test('one-off destinations must name a provider and a target', async (t) => {
  const h = await harness(t);
  await t.throwsAsync(oneOffProfile('.', '/just/a/path', h.registry), { instanceOf: UserError, message: /names no provider: write it as <provider>:<target>/ });
  await t.throwsAsync(oneOffProfile('.', 'local:', h.registry), { instanceOf: UserError, message: /empty target/ });
  const loaded = await oneOffProfile('src', 'local:/backups/x', h.registry, {}, '/home/u');
  t.is(loaded.profile.source, '/home/u/src');
  t.deepEqual(loaded.profile.destination, { provider: 'local', path: '/backups/x' });
  t.regex(loaded.profile.name, /^backup-[0-9a-f]{12}$/);
  const again = await oneOffProfile('src', 'local:/backups/x', h.registry, {}, '/home/u');
  t.is(again.profile.name, loaded.profile.name, 'the same command reuses its database');
});

test('a file name that is not valid UTF-8 is a per-file failure saying so; the rest is backed up', async (t) => {
  const h = await harness(t);
  await writeTree(h.source, { 'good.txt': 'g' });
  const { writeFileSync } = await import('node:fs');
  writeFileSync(Buffer.concat([Buffer.from(`${h.source}/bad-`), Buffer.from([0xff, 0xfe]), Buffer.from('.txt')]), 'x');
  const report = await h.run();
  t.is(report.exitCode, 1);
  t.is(report.counts.uploaded, 1);
  t.is(report.failures.length, 1);
  t.regex(report.failures[0]!.error, /name is not valid UTF-8.*rename the file/);
});
