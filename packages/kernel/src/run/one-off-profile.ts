import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { validateProfile, type LoadedProfile } from '../config/load-profile.js';
import type { ProfileInput } from '../config/profile.js';
import { UserError } from '../errors/nimbus-error.js';
import type { PluginManifest } from '../plugins/plugin-manifest.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';

/** Options a one-off command may set (the rest take profile defaults). */
export type OneOffOptions = Omit<Partial<ProfileInput>, 'source' | 'destination' | 'name'>;

/** Whether a command-line argument is written as `<provider>:<target>` (a one-off destination, not a profile file). */
export function isOneOffDestination(text: string): boolean {
  return /^[a-z][a-z0-9-]*:./s.test(text);
}

/** The plugin and its settings for `<provider>:<target>`, as the plugin parses the target. */
async function destinationFromTarget(destination: string, registry: PluginRegistry): Promise<{ manifest: PluginManifest; block: Record<string, unknown> }> {
  const match = /^([a-z][a-z0-9-]*):(.*)$/s.exec(destination);
  if (!match) {
    throw new UserError(`destination "${destination}" names no provider: write it as <provider>:<target>, e.g. local:/backups/photos`);
  }
  const [, id, target] = match as unknown as [string, string, string];
  const manifest = await registry.get(id);
  if (!manifest.parseTarget) {
    throw new UserError(`provider "${id}" takes no one-off target: write a profile file with a destination block and use nimbus run`);
  }
  if (target.trim() === '') throw new UserError(`destination "${destination}" has an empty target: add it after "${id}:"`);
  return { manifest, block: { provider: id, ...manifest.parseTarget(target) } };
}

/** A destination that keeps neither metadata nor modification times loses the originals' times without the database. */
function keepsNoTimes(manifest: PluginManifest): boolean {
  return !manifest.capabilities.metadata && manifest.capabilities.mtime.support === 'none';
}

const digestOf = (...parts: string[]) => createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 12);

/**
 * A profile for `nimbus backup <source> <provider>:<target>`. The destination's plugin
 * turns `<target>` into its config; the profile name (and so its cloud database) is
 * derived from source and destination, so repeating the command reuses the database.
 * Where the destination keeps no times, a copy of the database is kept there too, so that
 * `nimbus restore <provider>:<target>` on another machine brings the original times back.
 */
export async function oneOffProfile(
  source: string,
  destination: string,
  registry: PluginRegistry,
  options: OneOffOptions = {},
  cwd = process.cwd(),
): Promise<LoadedProfile> {
  const { manifest, block } = await destinationFromTarget(destination, registry);
  const absoluteSource = resolve(cwd, source);
  return validateProfile(
    { ...(keepsNoTimes(manifest) ? { remoteDatabaseCopy: true } : {}), ...options, source: absoluteSource, destination: block },
    'command line',
    cwd,
    `backup-${digestOf(absoluteSource, resolve(cwd), destination)}`,
  );
}

/**
 * A profile for `nimbus restore <provider>:<target> <folder>`: restoring what a one-off
 * backup wrote needs no profile file. Restore starts from the copy of a cloud database kept
 * at the destination when there is one (see openSession), else from a listing.
 */
export async function oneOffRestoreProfile(destination: string, registry: PluginRegistry, options: OneOffOptions = {}, cwd = process.cwd()): Promise<LoadedProfile> {
  const { block } = await destinationFromTarget(destination, registry);
  // Restore reads no source; the profile schema wants one.
  return validateProfile({ ...options, source: resolve(cwd), destination: block }, 'command line', cwd, `restore-${digestOf(resolve(cwd), destination)}`);
}
