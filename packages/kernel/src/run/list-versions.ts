import pLimit from 'p-limit';
import type { LoadedProfile } from '../config/load-profile.js';
import { chooseVersioning, type VersioningStrategy } from '../engine/version-keeper.js';
import { silentLogger, type Logger } from '../log/logger.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import { normalizeRemotePath } from '../provider/paths.js';
import { openSession } from './session.js';

export interface ListedVersion {
  readonly path: string;
  /** The `$SBV$` stamp or the provider's version id. */
  readonly version: string;
  /** When this copy was stored (ms). */
  readonly storedAt: number;
  readonly size: number;
}

export interface VersionListing {
  readonly profile: string;
  readonly strategy: VersioningStrategy;
  readonly versions: readonly ListedVersion[];
  readonly note?: string;
}

/** `nimbus versions <profile> [path]`: previous copies kept for a file or a folder's files. */
export async function listProfileVersions(request: {
  loaded: LoadedProfile;
  registry: PluginRegistry;
  path?: string;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
}): Promise<VersionListing> {
  const path = normalizeRemotePath(request.path ?? '');
  // Read-only: a scratch copy of the database, no lock, nothing written.
  const session = await openSession(request.loaded, request.registry, {
    dryRun: true,
    logger: request.logger ?? silentLogger,
    ...(request.env ? { env: request.env } : {}),
  });
  try {
    const { strategy, note } = chooseVersioning(session.provider, request.loaded.profile.versioning);
    const base = { profile: request.loaded.profile.name, strategy, ...(note ? { note } : {}) };
    if (strategy === 'folder') {
      const rows = await session.db.versionsOf(path, true);
      return { ...base, versions: rows.map((v) => ({ path: v.path, version: v.location.slice(v.location.lastIndexOf('/') + 1), storedAt: v.storedAt, size: v.size })) };
    }
    if (strategy !== 'native') return { ...base, versions: [] };
    const paths = new Set<string>();
    const single = await session.db.getFile(path);
    if (single) paths.add(single.path);
    else for await (const page of session.db.filesUnder(path)) for (const r of page) paths.add(r.path);
    if (paths.size === 0 && path !== '') paths.add(path); // a deleted file's versions
    const limit = pLimit(8);
    const lists = await Promise.all([...paths].map((p) => limit(() => session.provider.listVersions!(p))));
    const versions = lists
      .flat()
      .filter((v) => !v.isLatest && !v.isDeleteMarker)
      .map((v) => ({ path: v.path, version: v.versionId, storedAt: v.storedAt, size: v.size }))
      .sort((a, b) => a.path.localeCompare(b.path) || b.storedAt - a.storedAt);
    return { ...base, versions };
  } finally {
    await session.close();
  }
}
