import type { InjectionToken } from 'tsyringe';
import type { PluginManifest } from './plugin-manifest.js';

/** Multi-registration token: every registered plugin manifest. */
export const PLUGIN_MANIFESTS: InjectionToken<PluginManifest> = Symbol.for('nimbus:plugin-manifests');

/** Token under which the manifest with this id is registered. */
export function pluginToken(id: string): InjectionToken<PluginManifest> {
  return `nimbus:plugin:${id}`;
}
