import { discoverInstalledPlugins, PluginRegistry } from '@nimbus/kernel';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The registry this CLI build uses: the embedded local provider, plus every plugin package
 * installed next to the CLI or above the working folder (found by package.json, imported
 * only when used).
 */
export function createRegistry(cwd = process.cwd()): PluginRegistry {
  const registry = new PluginRegistry();
  registry.addSource({
    packageName: '@nimbus/plugin-local',
    entry: import.meta.resolve('@nimbus/plugin-local'),
    id: 'local',
  });
  const cliDir = dirname(fileURLToPath(import.meta.url));
  for (const source of discoverInstalledPlugins([cwd, cliDir])) registry.addSource(source);
  return registry;
}
