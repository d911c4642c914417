import type { Capabilities } from '../capabilities/capabilities.js';
import type { FileFacts } from '../database/cloud-database.js';
import type { RemoteEntry } from '../provider/remote-entry.js';
import { parentOf } from '../provider/paths.js';
import { META_KEYS, toolMtimeOf } from '../provider/metadata-keys.js';

// The metadata keys live with the provider contract: plugins write them too (see metadata-keys.ts).
export { META_KEYS, TOOL_MTIME_KEYS, formatToolMtime, withToolMtime, toolMtimeOf, type ToolMtimeStyle } from '../provider/metadata-keys.js';

/** Whether an object carries none of Nimbus's own metadata keys: it was written by another tool (or its metadata is not kept). */
export function isForeignObject(entry: RemoteEntry): boolean {
  const meta = entry.metadata ?? {};
  return !Object.values(META_KEYS).some((key) => key in meta);
}

/** mtime recorded when the original's modification time cannot be known (forces a re-check). */
export const UNKNOWN_MTIME = -1;

/** Facts about the original to store as object metadata. */
export function metadataFor(
  size: number,
  mtime: number,
  flags: { compressed: boolean; encrypted: boolean } = { compressed: false, encrypted: false },
  sha256?: string | null,
): Record<string, string> {
  const stored = `${flags.compressed ? 'c' : ''}${flags.encrypted ? 'e' : ''}`;
  return {
    [META_KEYS.mtime]: String(mtime),
    [META_KEYS.size]: String(size),
    ...(stored ? { [META_KEYS.stored]: stored } : {}),
    ...(sha256 ? { [META_KEYS.sha256]: sha256 } : {}),
  };
}

function intOrUndefined(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

/** The facts that describe the stored object itself, as the provider reported it. */
export function storedObjectFacts(entry: RemoteEntry): Pick<FileFacts, 'storedSize' | 'remoteMtime' | 'remoteId' | 'versionId' | 'archiveStatus'> {
  return {
    storedSize: entry.size,
    remoteMtime: entry.mtime !== undefined ? Math.round(entry.mtime) : null,
    remoteId: entry.remoteId ?? null,
    versionId: entry.versionId ?? null,
    archiveStatus: entry.archive?.status ?? null,
  };
}

/**
 * What can be learnt about an original from the object alone: metadata first, then the
 * provider's own mtime when it keeps the one we gave it. Used to rebuild the database
 * from a listing; an unknown mtime means the file will be compared by content or re-sent.
 */
export function factsFromRemote(entry: RemoteEntry, capabilities: Capabilities, runId: number): FileFacts {
  const meta = entry.metadata ?? {};
  const metaMtime = intOrUndefined(meta[META_KEYS.mtime]);
  const metaSize = intOrUndefined(meta[META_KEYS.size]);
  const providerMtime = capabilities.mtime.support !== 'none' ? entry.mtime : undefined;
  // Another tool's time is trusted only on an object without Nimbus's keys (what that tool wrote).
  const toolMtime = metaMtime === undefined && isForeignObject(entry) ? toolMtimeOf(meta) : undefined;
  return {
    path: entry.path,
    dir: parentOf(entry.path),
    size: metaSize ?? entry.size,
    mtime: metaMtime ?? toolMtime ?? (providerMtime !== undefined ? Math.round(providerMtime) : UNKNOWN_MTIME),
    // A provider's free hash is of the stored bytes, so not the original's once transformed.
    sha256: meta[META_KEYS.sha256] ?? (meta[META_KEYS.stored] ? null : (entry.hashes?.sha256 ?? null)),
    ...storedObjectFacts(entry),
    compressed: (meta[META_KEYS.stored] ?? '').includes('c'),
    encrypted: (meta[META_KEYS.stored] ?? '').includes('e'),
    restoreRequestedAt: null,
    restoreExpiresAt: entry.archive?.expiresAt ?? null,
    storedAt: null,
    lastRun: runId,
  };
}
