import { formatBytes, formatTable, listProfileVersions, loadProfileFile } from '@nimbus/kernel';
import { createRegistry } from '../plugin-registry.js';

/** `nimbus versions <profile> [path]`. */
export async function versionsCommand(profileFile: string, path: string | undefined, flags: { json?: boolean; dataDir?: string }): Promise<number> {
  const listing = await listProfileVersions({
    loaded: loadProfileFile(profileFile),
    registry: createRegistry(),
    ...(path ? { path } : {}),
    env: flags.dataDir ? { ...process.env, NIMBUS_DATA_DIR: flags.dataDir } : process.env,
  });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(listing, null, 2)}\n`);
    return 0;
  }
  if (listing.note) process.stdout.write(`note: ${listing.note}\n`);
  if (listing.versions.length === 0) {
    process.stdout.write(`no versions kept${path ? ` for ${path}` : ''} (${listing.strategy === 'folder' ? 'in $SBV$' : listing.strategy})\n`);
    return 0;
  }
  const rows = listing.versions.map((v) => [v.path, v.version, new Date(v.storedAt).toISOString(), formatBytes(v.size)]);
  process.stdout.write(`${formatTable(['path', 'version', 'stored at', 'size'], rows)}\n`);
  return 0;
}
