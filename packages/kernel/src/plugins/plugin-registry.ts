import { closest } from 'fastest-levenshtein';
import semver from 'semver';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { KERNEL_API_VERSION } from '../api-version.js';
import { UserError } from '../errors/nimbus-error.js';
import type { PluginManifest } from './plugin-manifest.js';
import { PLUGIN_MANIFESTS, pluginToken } from './tokens.js';
import type { PluginSource } from './plugin-discovery.js';

const ID_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

/** An installed plugin package that was found but could not be used, and why (one line). */
export interface RefusedPlugin {
  readonly packageName: string;
  /** The id its package.json declares, when it declares one. */
  readonly id?: string;
  readonly error: string;
}

/**
 * The plugins known to this process, held in a tsyringe container: each manifest is
 * registered under its own token and under the multi-token PLUGIN_MANIFESTS.
 * Plugins found on disk but not imported yet are kept as sources and loaded on first use,
 * so commands that need no plugin stay fast.
 */
export class PluginRegistry {
  readonly container: DependencyContainer;
  private readonly pending = new Map<string, PluginSource>();
  private readonly unnamed: PluginSource[] = [];
  /** Installed plugin packages that could not be loaded while listing or searching. */
  readonly refused: RefusedPlugin[] = [];

  constructor(parent: DependencyContainer = rootContainer) {
    this.container = parent.createChildContainer();
  }

  /** Register a manifest, refusing malformed ones and those built for another kernel API. */
  register(manifest: PluginManifest, origin = 'an unnamed module'): void {
    checkManifest(manifest, origin);
    if (this.container.isRegistered(pluginToken(manifest.id))) {
      const existing = this.container.resolve(pluginToken(manifest.id));
      if (existing === manifest) return;
      throw new UserError(`two plugins claim the id "${manifest.id}" (the second from ${origin}): uninstall one of them`);
    }
    this.container.register(pluginToken(manifest.id), { useValue: manifest });
    this.container.register(PLUGIN_MANIFESTS, { useValue: manifest });
    this.pending.delete(manifest.id);
  }

  /** Remember a plugin package that can be imported when needed. */
  addSource(source: PluginSource): void {
    if (source.id !== undefined) {
      if (!this.has(source.id) && !this.pending.has(source.id)) this.pending.set(source.id, source);
    } else if (!this.unnamed.some((s) => s.entry === source.entry)) {
      this.unnamed.push(source);
    }
  }

  has(id: string): boolean {
    return this.container.isRegistered(pluginToken(id));
  }

  /** The manifest for `id`, importing its package if needed; a clear UserError if unknown. */
  async get(id: string): Promise<PluginManifest> {
    if (!this.has(id)) {
      const source = this.pending.get(id);
      if (source) await this.load(source);
      else await this.loadUnnamed();
    }
    if (!this.has(id)) {
      const known = this.ids();
      const broken = this.refused.length ? `; ${this.refused.length} installed plugin package(s) failed to load: ${this.loadErrors.join('; ')}` : '';
      const hint = known.length ? ` (did you mean "${closest(id, known)}"? installed: ${known.join(', ')}${broken})` : broken ? ` (${broken.slice(2)})` : '';
      throw new UserError(
        `unknown provider "${id}"${hint}: install its plugin package (npm install <package>) or list it under "plugins" in the profile`,
      );
    }
    return this.container.resolve(pluginToken(id));
  }

  /**
   * Every plugin, importing all discovered packages. A package that fails to load does not
   * hide the others: it is kept in `refused` with its error.
   */
  async all(): Promise<PluginManifest[]> {
    for (const source of [...this.pending.values()]) await this.tryLoad(source);
    await this.loadUnnamed();
    if (!this.container.isRegistered(PLUGIN_MANIFESTS)) return [];
    return [...this.container.resolveAll(PLUGIN_MANIFESTS)].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** One line per refused package (see `refused`). */
  get loadErrors(): string[] {
    return this.refused.map((r) => r.error);
  }

  /** Ids registered or discovered so far (without importing anything). */
  ids(): string[] {
    const registered = this.container.isRegistered(PLUGIN_MANIFESTS)
      ? this.container.resolveAll(PLUGIN_MANIFESTS).map((m) => m.id)
      : [];
    return [...new Set([...registered, ...this.pending.keys()])].sort();
  }

  /** Packages without a declared id are imported to learn it; one that breaks is skipped. */
  private async loadUnnamed(): Promise<void> {
    while (this.unnamed.length) await this.tryLoad(this.unnamed.shift()!);
  }

  private async tryLoad(source: PluginSource): Promise<void> {
    try {
      await this.load(source);
    } catch (error) {
      this.refused.push({ packageName: source.packageName, ...(source.id ? { id: source.id } : {}), error: (error as Error).message });
    }
  }

  private async load(source: PluginSource): Promise<void> {
    if (source.id) this.pending.delete(source.id);
    let module: Record<string, unknown>;
    try {
      module = (await import(source.entry)) as Record<string, unknown>;
    } catch (error) {
      throw new UserError(
        `plugin package ${source.packageName} could not be loaded (${(error as Error).message.split('\n')[0]}): reinstall it or remove it`,
      );
    }
    const manifest = (module.default ?? module.plugin) as PluginManifest | undefined;
    if (!manifest || typeof manifest !== 'object') {
      throw new UserError(
        `package ${source.packageName} declares a Nimbus plugin but its module exports no manifest: it must export one as default`,
      );
    }
    if (source.id && manifest.id !== source.id) {
      throw new UserError(
        `package ${source.packageName} says its plugin id is "${source.id}" but the manifest says "${manifest.id}": fix the package`,
      );
    }
    this.register(manifest, `package ${source.packageName}`);
  }
}

function checkManifest(m: PluginManifest, origin: string): void {
  const problems: string[] = [];
  if (typeof m.id !== 'string' || !ID_PATTERN.test(m.id)) problems.push('an id of lower-case letters, digits and dashes');
  if (typeof m.displayName !== 'string' || !m.displayName) problems.push('a displayName');
  if (typeof m.connect !== 'function') problems.push('a connect() factory');
  if (!m.configSchema || typeof (m.configSchema as { safeParse?: unknown }).safeParse !== 'function') problems.push('a configSchema');
  if (!m.capabilities || typeof m.capabilities !== 'object') problems.push('capabilities');
  if (typeof m.kernelApi !== 'string' || semver.validRange(m.kernelApi) === null) problems.push('a kernelApi semver range');
  if (problems.length) {
    throw new UserError(`the plugin from ${origin} is malformed: it needs ${problems.join(', ')}; update or remove it`);
  }
  if (!semver.satisfies(KERNEL_API_VERSION, m.kernelApi)) {
    throw new UserError(
      `plugin "${m.id}" (${origin}) was built for Nimbus kernel API ${m.kernelApi}, but this kernel provides ${KERNEL_API_VERSION}: install a version of the plugin made for kernel API ${semver.major(KERNEL_API_VERSION)}.x`,
    );
  }
}
