import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** packages/ of the repository (this file runs from packages/kernel/dist-test/plugins). */
const PACKAGES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Test code may drive the engines; what ships (everything else under src) is the plugin. */
const isTestCode = (path: string) => /\.test\.ts$|\.child\.ts$/.test(path) || /(^|\/)(test-support|testing)\//.test(path);

function sourcesOf(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** Every module specifier a file imports or re-exports from (static and dynamic). */
function specifiersOf(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g)) found.push(m[1]!);
  return found;
}

const plugins = readdirSync(PACKAGES).filter((name) => name.startsWith('plugin-'));

test('the official plugins are found', (t) => {
  t.true(plugins.length >= 5, plugins.join(', '));
});

for (const plugin of plugins) {
  test(`${plugin} reaches the kernel only through @nimbus/kernel/plugin (no engines, database or DI tokens)`, (t) => {
    const src = join(PACKAGES, plugin, 'src');
    const offending: string[] = [];
    let kernelImports = 0;
    for (const file of sourcesOf(src)) {
      const path = relative(src, file);
      if (isTestCode(path)) continue;
      for (const specifier of specifiersOf(readFileSync(file, 'utf8'))) {
        if (!specifier.startsWith('@nimbus/')) continue;
        if (specifier === '@nimbus/kernel/plugin') kernelImports++;
        else offending.push(`${path}: ${specifier}`);
      }
    }
    t.deepEqual(offending, [], 'imports from elsewhere in Nimbus than the plugin entry point');
    t.true(kernelImports > 0, 'the plugin does use the plugin entry point (the scan saw its imports)');
  });
}
