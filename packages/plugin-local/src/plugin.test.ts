import { MemoryLogger, PluginRegistry, UserError, discoverInstalledPlugins, type PluginContext } from '@nimbus/kernel';
import { makeTempDir } from '@nimbus/testkit';
import test, { type ExecutionContext } from 'ava';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import plugin from './index.js';
import { LocalProvider } from './local-provider.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

async function context(t: ExecutionContext): Promise<PluginContext> {
  const dir = await makeTempDir('nimbus-local-plugin-');
  t.teardown(dir.cleanup);
  return { logger: new MemoryLogger(), stateDir: join(dir.path, 'state'), baseDir: dir.path, dryRun: false };
}

/** Assert a UserError whose message is one line naming the folder. */
async function assertUserError(t: ExecutionContext, promise: Promise<unknown>, folder: string, why: RegExp): Promise<void> {
  const error = await t.throwsAsync(promise);
  t.true(error instanceof UserError, String(error));
  t.false(error!.message.includes('\n'), 'one line');
  t.true(error!.message.includes(folder), error!.message);
  t.regex(error!.message, why);
}

test('the manifest is accepted by the kernel registry', async (t) => {
  const registry = new PluginRegistry();
  registry.register(plugin, 'plugin-local');
  t.is(await registry.get('local'), plugin);
  t.is(plugin.displayName, 'Local folder');
});

test('the package declares itself a plugin with the manifest id, so discovery finds it', async (t) => {
  const pkg = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as { nimbus: { id: string } };
  t.is(pkg.nimbus.id, plugin.id);
  const found = discoverInstalledPlugins([packageDir]).find((s) => s.packageName === '@nimbus/plugin-local');
  t.is(found?.id, 'local');
});

test('the config schema wants exactly a path', (t) => {
  t.true(plugin.configSchema.safeParse({ path: './backup' }).success);
  t.false(plugin.configSchema.safeParse({}).success);
  t.false(plugin.configSchema.safeParse({ path: '' }).success);
  t.false(plugin.configSchema.safeParse({ path: '/x', pathh: '/y' }).success, 'unknown keys are errors');
});

test('parseTarget and describeLocation', (t) => {
  t.deepEqual(plugin.parseTarget!('some/dir'), { path: 'some/dir' });
  t.is(plugin.describeLocation!({ fsync: false, path: '/abs/backup' }, { baseDir: '/base' }), '/abs/backup');
  t.is(plugin.describeLocation!({ fsync: false, path: 'rel' }, { baseDir: '/base' }), join('/base', 'rel'));
});

test('connect resolves a relative path against baseDir and creates missing folders', async (t) => {
  const ctx = await context(t);
  const provider = (await plugin.connect({ fsync: false, path: 'deep/new/backup' }, ctx)) as LocalProvider;
  t.true(provider instanceof LocalProvider);
  t.is(provider.root, join(ctx.baseDir, 'deep/new/backup'));
  t.true((await stat(provider.root)).isDirectory());
  await provider.close();
});

test('a dry run creates nothing: a missing destination reads as empty', async (t) => {
  const ctx = { ...(await context(t)), dryRun: true };
  const folder = join(ctx.baseDir, 'not', 'yet');
  const provider = await plugin.connect({ fsync: false, path: folder }, ctx);
  t.false(existsSync(folder));
  t.is(await provider.stat('anything.txt'), undefined);
  for await (const page of provider.list('', { recursive: true })) t.fail(`listed ${page.length} entries`);
  t.is(await provider.cleanupIncomplete!(), 0);
  t.false(existsSync(join(ctx.baseDir, 'not')));
});

test('a dry run still reports a destination that could not be created', async (t) => {
  const ctx = { ...(await context(t)), dryRun: true };
  await writeFile(join(ctx.baseDir, 'a-file'), 'x');
  const folder = join(ctx.baseDir, 'a-file', 'backup');
  await assertUserError(t, plugin.connect({ fsync: false, path: folder }, ctx), folder, /because .*a-file is a file/);
});

test('a destination that cannot be created is a one-line UserError', async (t) => {
  const ctx = await context(t);
  await writeFile(join(ctx.baseDir, 'a-file'), 'x');
  const folder = join(ctx.baseDir, 'a-file', 'backup');
  await assertUserError(t, plugin.connect({ fsync: false, path: folder }, ctx), folder, /cannot be created because .*a-file is a file: choose another path/);
});

test('a destination that is a file is a one-line UserError', async (t) => {
  const ctx = await context(t);
  const file = join(ctx.baseDir, 'a-file');
  await writeFile(file, 'x');
  await assertUserError(t, plugin.connect({ fsync: false, path: file }, ctx), file, /is a file, not a folder/);
});

// Permissions do not bind root, so this case can only be checked as an ordinary user.
const asUser = process.getuid?.() === 0 ? test.skip : test;
asUser('an unwritable destination is a one-line UserError', async (t) => {
  const ctx = await context(t);
  const folder = join(ctx.baseDir, 'locked');
  await mkdir(folder);
  await chmod(folder, 0o555);
  t.teardown(() => chmod(folder, 0o755));
  await assertUserError(t, plugin.connect({ fsync: false, path: folder }, ctx), folder, /not writable: fix its permissions/);
  await assertUserError(t, plugin.connect({ fsync: false, path: join(folder, 'inside') }, ctx), folder, /cannot be created because .* is not writable/);
});
