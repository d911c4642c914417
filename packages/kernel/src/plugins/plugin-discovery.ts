import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError } from '../errors/nimbus-error.js';

/** A plugin package found on disk, not imported yet. */
export interface PluginSource {
  readonly packageName: string;
  /** file: URL of the module exporting the manifest. */
  readonly entry: string;
  /** Plugin id, when the package declares it in package.json (lets lookups skip importing). */
  readonly id?: string;
}

/**
 * A package named like a plugin (see isPluginName) declares itself one in its package.json:
 *   "nimbus": { "plugin": "./dist/index.js", "id": "s3" }
 * so `npm install` of a third-party plugin is all it takes.
 */
interface NimbusPackageField {
  readonly plugin?: string;
  readonly id?: string;
}

function readSource(packageDir: string): PluginSource | undefined {
  let pkg: { name?: string; nimbus?: NimbusPackageField };
  try {
    pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  } catch {
    return undefined;
  }
  const field = pkg.nimbus;
  if (!field || typeof field.plugin !== 'string') return undefined;
  return {
    packageName: pkg.name ?? packageDir,
    entry: pathToFileURL(resolve(packageDir, field.plugin)).href,
    ...(typeof field.id === 'string' ? { id: field.id } : {}),
  };
}

/**
 * Installed plugins are found by name, so a run reads a handful of package.json files, not
 * every dependency's: `nimbus-plugin-<x>` or `@<scope>/nimbus-plugin-<x>` (and the official
 * `@nimbus/plugin-<x>`). Any other package can still be named under `plugins:` in a profile.
 */
export function isPluginName(name: string): boolean {
  return /^(@[^/]+\/)?nimbus-plugin-[^/]+$/.test(name) || /^@nimbus\/plugin-[^/]+$/.test(name);
}

/** Every node_modules folder from `start` up to the file-system root. */
function nodeModulesChain(start: string): string[] {
  const dirs: string[] = [];
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules');
    if (existsSync(candidate)) dirs.push(candidate);
    if (dirname(dir) === dir) return dirs;
  }
}

/**
 * Plugin packages installed in the node_modules folders above each of `startDirs`.
 * Reads package.json files only; nothing is imported.
 */
export function discoverInstalledPlugins(startDirs: readonly string[]): PluginSource[] {
  const found = new Map<string, PluginSource>();
  const seenDirs = new Set<string>();
  for (const start of startDirs) {
    for (const modules of nodeModulesChain(start)) {
      if (seenDirs.has(modules)) continue;
      seenDirs.add(modules);
      for (const name of safeReaddir(modules)) {
        if (name.startsWith('.')) continue;
        const packageDirs = name.startsWith('@')
          ? safeReaddir(join(modules, name)).filter((n) => isPluginName(`${name}/${n}`)).map((n) => join(modules, name, n))
          : isPluginName(name) ? [join(modules, name)] : [];
        for (const dir of packageDirs) {
          const source = readSource(dir);
          if (source && !found.has(source.packageName)) found.set(source.packageName, source);
        }
      }
    }
  }
  return [...found.values()];
}

/**
 * A plugin named in configuration: a package name (resolved from `baseDir`) or a
 * path to a module file or package folder.
 */
export function resolveNamedPlugin(spec: string, baseDir: string): PluginSource {
  const isPath = spec.startsWith('.') || spec.startsWith('/');
  if (isPath) {
    const target = resolve(baseDir, spec);
    if (!existsSync(target)) throw new UserError(`plugin "${spec}" not found at ${target}: fix the path under "plugins"`);
    const asPackage = readSource(target);
    if (asPackage) return asPackage;
    return { packageName: spec, entry: pathToFileURL(target).href };
  }
  const require = createRequire(join(resolve(baseDir), 'noop.js'));
  let packageJson: string;
  try {
    packageJson = require.resolve(`${spec}/package.json`);
  } catch {
    throw new UserError(`plugin package "${spec}" is not installed: run npm install ${spec}, or remove it from "plugins"`);
  }
  const source = readSource(dirname(packageJson));
  if (!source) {
    throw new UserError(`package "${spec}" is not a Nimbus plugin (no "nimbus.plugin" in its package.json): remove it from "plugins"`);
  }
  return source;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
