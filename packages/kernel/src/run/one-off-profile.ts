import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { validateProfile, type LoadedProfile } from '../config/load-profile.js';
import type { ProfileInput } from '../config/profile.js';
import { UserError } from '../errors/nimbus-error.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';

/** Options a one-off command may set (the rest take profile defaults). */
export type OneOffOptions = Omit<Partial<ProfileInput>, 'source' | 'destination' | 'name'>;

/**
 * A profile for `nimbus backup <source> <provider>:<target>`. The destination's plugin
 * turns `<target>` into its config; the profile name (and so its cloud database) is
 * derived from source and destination, so repeating the command reuses the database.
 */
export async function oneOffProfile(
  source: string,
  destination: string,
  registry: PluginRegistry,
  options: OneOffOptions = {},
  cwd = process.cwd(),
): Promise<LoadedProfile> {
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
  const config = manifest.parseTarget(target);
  const absoluteSource = resolve(cwd, source);
  const digest = createHash('sha256').update(`${absoluteSource}\0${resolve(cwd)}\0${destination}`).digest('hex').slice(0, 12);
  return validateProfile(
    { ...options, source: absoluteSource, destination: { provider: id, ...config } },
    'command line',
    cwd,
    `backup-${digest}`,
  );
}
