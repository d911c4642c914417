import { createHash } from 'node:crypto';
import { checkAccountName, profileAccountName } from '../accounts/account-names.js';
import { parseConfig } from '../config/config-error.js';
import { loadConnection } from '../config/connections.js';
import { resolveSettingValues, type SettingSources } from '../config/setting-values.js';
import { UserError } from '../errors/nimbus-error.js';
import type { LoadedProfile } from '../config/load-profile.js';
import type { PluginManifest } from '../plugins/plugin-manifest.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import { resolveNamedPlugin } from '../plugins/plugin-discovery.js';

/** A profile's destination, resolved to its plugin and validated configuration. */
export interface ResolvedDestination {
  readonly manifest: PluginManifest;
  readonly config: unknown;
  /** Secret-free, stable description: names the place in reports and ties the database to it. */
  readonly label: string;
  /** The linked account the destination signs in with (`account: work`), for plugins that declare oauth. */
  readonly account?: string;
}

/** JSON with sorted keys, so equal configs give equal strings. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The destination block with its connection's settings merged in and `{ env }` / `{ prompt }` values resolved. */
async function destinationSettings(loaded: LoadedProfile, sources: SettingSources): Promise<{ provider: string } & Record<string, unknown>> {
  const { connection, ...own } = loaded.profile.destination;
  let block: Record<string, unknown> = own;
  let where = `profile ${loaded.profile.name}`;
  if (connection !== undefined) {
    const shared = loadConnection(connection, sources.env);
    if (own.provider !== undefined && own.provider !== shared.provider) {
      throw new UserError(`profile ${loaded.profile.name} names provider "${own.provider}" but its connection "${connection}" is ${String(shared.provider)}: remove provider from the destination`);
    }
    // The profile's own settings (a bucket, a prefix) complete or override the shared ones.
    block = { ...shared, ...own, provider: shared.provider };
    where = `connection ${connection}`;
  }
  return (await resolveSettingValues(block, where, sources)) as { provider: string } & Record<string, unknown>;
}

/** Separates `account:` from the plugin's own settings; only plugins that declare oauth take one. */
function takeAccount(manifest: PluginManifest, block: Record<string, unknown>, profileName: string): { account?: string; rest: Record<string, unknown> } {
  if (!manifest.oauth) {
    if ('account' in block || 'ownAuthorization' in block) throw new UserError(`provider "${manifest.id}" does not sign in with a linked account: remove account from the destination and give its settings instead`);
    return { rest: block };
  }
  const { account, ownAuthorization, ...rest } = block;
  if (ownAuthorization !== undefined) {
    if (typeof ownAuthorization !== 'boolean') throw new UserError('destination.ownAuthorization must be true or false');
    if (ownAuthorization && account !== undefined) throw new UserError('give either account (a linked account) or ownAuthorization: true (this profile signs in alone), not both');
    if (ownAuthorization) return { account: profileAccountName(profileName), rest };
  }
  if (account === undefined) throw new UserError(`provider "${manifest.id}" signs in with a linked account: run nimbus account add ${manifest.id} --name <name> and add account: <name> to the destination`);
  if (typeof account !== 'string') throw new UserError(`destination.account must be the name of a linked account (nimbus account list shows them)`);
  return { account: checkAccountName(account), rest };
}

/** Load the profile's extra plugins, pick the destination's plugin and validate its block. */
export async function resolveDestination(loaded: LoadedProfile, registry: PluginRegistry, sources: Partial<SettingSources> = {}): Promise<ResolvedDestination> {
  for (const spec of loaded.profile.plugins) registry.addSource(resolveNamedPlugin(spec, loaded.baseDir));
  const { provider, ...block } = await destinationSettings(loaded, { env: sources.env ?? process.env, ...(sources.prompt ? { prompt: sources.prompt } : {}) });
  const manifest = await registry.get(provider);
  const { account, rest } = takeAccount(manifest, block, loaded.profile.name);
  const config = parseConfig(manifest.configSchema, rest, loaded.origin, 'destination');
  let label: string;
  if (manifest.describeLocation) {
    label = `${manifest.id}:${manifest.describeLocation(config, { baseDir: loaded.baseDir })}`;
  } else {
    const secretFree = Object.fromEntries(
      Object.entries(config as Record<string, unknown>).filter(([key]) => !manifest.secretFields?.includes(key)),
    );
    label = `${manifest.id}:${createHash('sha256').update(stableJson(secretFree)).digest('hex').slice(0, 16)}`;
  }
  return { manifest, config, label, ...(account ? { account } : {}) };
}
