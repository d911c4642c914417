import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  definePlugin,
  discoverInstalledPlugins,
  KERNEL_API_VERSION,
  MINIMAL_CAPABILITIES,
  PLUGIN_MANIFESTS,
  PluginRegistry,
  pluginToken,
  resolveNamedPlugin,
  UserError,
  z,
  type PluginManifest,
} from '@nimbus/kernel';

function manifest(id: string, kernelApi = '^1.0.0'): PluginManifest {
  return definePlugin({
    id,
    displayName: `Test ${id}`,
    kernelApi,
    configSchema: z.strictObject({}),
    capabilities: MINIMAL_CAPABILITIES,
    connect: async () => {
      throw new Error('not used');
    },
  });
}

test('registered plugins resolve by token from the tsyringe container', async (t) => {
  const registry = new PluginRegistry();
  const m = manifest('alpha');
  registry.register(m);
  t.is(registry.container.resolve(pluginToken('alpha')), m);
  t.deepEqual(registry.container.resolveAll(PLUGIN_MANIFESTS), [m]);
  t.is(await registry.get('alpha'), m);
});

test('registries are isolated from each other', (t) => {
  const a = new PluginRegistry();
  const b = new PluginRegistry();
  a.register(manifest('alpha'));
  t.true(a.has('alpha'));
  t.false(b.has('alpha'));
});

test('a plugin built for another kernel API is refused with a clear message', (t) => {
  const registry = new PluginRegistry();
  const error = t.throws(() => registry.register(manifest('old', '^0.3.0'), 'package @acme/old'), { instanceOf: UserError });
  t.regex(error!.message, new RegExp(`built for Nimbus kernel API \\^0\\.3\\.0, but this kernel provides ${KERNEL_API_VERSION.replace(/\./g, '\\.')}`));
  t.false(registry.has('old'));
});

test('a malformed manifest is refused, naming what is missing', (t) => {
  const registry = new PluginRegistry();
  const broken = { ...manifest('x'), id: 'Bad Id', connect: undefined } as unknown as PluginManifest;
  const error = t.throws(() => registry.register(broken, 'package @acme/broken'), { instanceOf: UserError });
  t.regex(error!.message, /package @acme\/broken is malformed: it needs an id .*a connect\(\) factory/);
});

test('two plugins claiming one id are refused', (t) => {
  const registry = new PluginRegistry();
  registry.register(manifest('dup'));
  t.throws(() => registry.register(manifest('dup'), 'package b'), { message: /two plugins claim the id "dup"/ });
});

test('an unknown provider suggests the closest installed one', async (t) => {
  const registry = new PluginRegistry();
  registry.register(manifest('local'));
  registry.register(manifest('s3'));
  const error = await t.throwsAsync(registry.get('locla'), { instanceOf: UserError });
  t.regex(error!.message, /unknown provider "locla" \(did you mean "local"\? installed: local, s3\)/);
});

function fakePluginPackage(root: string, name: string, id: string, declareId: boolean, kernelApi = '^1.0.0'): void {
  const dir = join(root, 'node_modules', ...name.split('/'));
  mkdirSync(join(dir, 'dist'), { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name, version: '1.0.0', type: 'module', nimbus: { plugin: './dist/index.js', ...(declareId ? { id } : {}) } }),
  );
  writeFileSync(
    join(dir, 'dist', 'index.js'),
    `export default {
      id: ${JSON.stringify(id)}, displayName: 'Fake ${id}', kernelApi: ${JSON.stringify(kernelApi)},
      configSchema: { safeParse: (v) => ({ success: true, data: v }) },
      capabilities: { metadata: false, mtime: { support: 'none', precisionMs: 1000 }, hashes: [], folders: 'virtual',
        versioning: 'none', archive: { tiers: [], archiveTiers: [], restore: 'none', restorePriorities: [] },
        serverSideCopy: false, serverSideMove: false, immutable: false, maxObjectSize: null, chunkedUpload: null, caseSensitive: true },
      connect: async () => { throw new Error('fake'); },
    };\n`,
  );
}

test('installed packages that declare themselves in package.json are discovered and loaded lazily', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'nimbus-discovery-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  fakePluginPackage(root, '@acme/nimbus-plugin-vault', 'vault', true);
  fakePluginPackage(root, 'nimbus-plugin-plain', 'plain', false);
  mkdirSync(join(root, 'node_modules', 'not-a-plugin'), { recursive: true });
  writeFileSync(join(root, 'node_modules', 'not-a-plugin', 'package.json'), '{"name":"not-a-plugin"}');
  mkdirSync(join(root, 'project', 'deep'), { recursive: true });

  const sources = discoverInstalledPlugins([join(root, 'project', 'deep')]);
  t.deepEqual(sources.map((s) => s.packageName).sort(), ['@acme/nimbus-plugin-vault', 'nimbus-plugin-plain']);

  const registry = new PluginRegistry();
  for (const s of sources) registry.addSource(s);
  t.false(registry.has('vault'), 'not imported before use');
  t.deepEqual(registry.ids(), ['vault'], 'declared ids are known without importing');
  t.is((await registry.get('vault')).displayName, 'Fake vault');
  t.is((await registry.get('plain')).displayName, 'Fake plain', 'undeclared ids are found by importing');
  t.deepEqual((await registry.all()).map((m) => m.id), ['plain', 'vault']);
});

test('a discovered plugin for an incompatible kernel is refused when loaded', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'nimbus-discovery-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  fakePluginPackage(root, 'nimbus-plugin-future', 'future', true, '^2.0.0');
  const registry = new PluginRegistry();
  for (const s of discoverInstalledPlugins([root])) registry.addSource(s);
  const error = await t.throwsAsync(registry.get('future'), { instanceOf: UserError });
  t.regex(error!.message, /plugin "future" \(package nimbus-plugin-future\) was built for Nimbus kernel API \^2\.0\.0/);
});

test('plugins named in configuration resolve by package name or path', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'nimbus-named-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  fakePluginPackage(root, '@acme/nimbus-plugin-named', 'named', false);
  const byName = resolveNamedPlugin('@acme/nimbus-plugin-named', root);
  t.is(byName.packageName, '@acme/nimbus-plugin-named');
  const byPath = resolveNamedPlugin('./node_modules/@acme/nimbus-plugin-named/dist/index.js', root);
  const registry = new PluginRegistry();
  registry.addSource(byPath);
  t.is((await registry.get('named')).id, 'named');
  t.throws(() => resolveNamedPlugin('@acme/not-installed', root), { message: /plugin package "@acme\/not-installed" is not installed: run npm install/ });
  t.throws(() => resolveNamedPlugin('./missing.js', root), { message: /plugin "\.\/missing\.js" not found/ });
});

test('a broken installed package does not hide the others when listing', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'nimbus-discovery-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  fakePluginPackage(root, 'nimbus-plugin-good', 'good', true);
  const broken = join(root, 'node_modules', 'nimbus-plugin-broken');
  mkdirSync(broken, { recursive: true });
  writeFileSync(join(broken, 'package.json'), JSON.stringify({ name: 'nimbus-plugin-broken', nimbus: { plugin: './missing.js' } }));
  const registry = new PluginRegistry();
  for (const s of discoverInstalledPlugins([root])) registry.addSource(s);
  t.deepEqual((await registry.all()).map((m) => m.id), ['good']);
  t.is(registry.loadErrors.length, 1);
  t.regex(registry.loadErrors[0]!, /plugin package nimbus-plugin-broken could not be loaded/);
  await t.throwsAsync(registry.get('other'), { message: /1 installed plugin package\(s\) failed to load/ });
});
