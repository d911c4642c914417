import type { Readable } from 'node:stream';
import type { CloudDatabase, FileFacts } from '../database/cloud-database.js';
import { supports } from '../provider/operations.js';
import { parentOf } from '../provider/paths.js';
import type { StorageProvider } from '../provider/storage-provider.js';
import { UNKNOWN_MTIME } from './destination-facts.js';

/** A copy of a file to restore, and how to read it. */
export interface ChosenCopy {
  readonly record: FileFacts;
  readonly open: () => Promise<Readable>;
}

/**
 * The copy of `path` that was current at `at`: the newest one stored at or before that time,
 * among the current copy, the versions Nimbus keeps in `$SBV$` and the provider's own versions.
 * Undefined when the file did not exist then (not stored yet, or deleted).
 */
export async function copyCurrentAt(
  provider: StorageProvider,
  db: CloudDatabase,
  path: string,
  current: FileFacts | undefined,
  at: number,
): Promise<ChosenCopy | undefined> {
  type Candidate = { storedAt: number; pick: () => ChosenCopy | undefined };
  const candidates: Candidate[] = [];
  if (current) {
    const storedAt = current.storedAt ?? current.remoteMtime ?? 0;
    candidates.push({ storedAt, pick: () => ({ record: current, open: () => provider.read(path) }) });
  }
  for (const v of await db.versionsOf(path)) {
    candidates.push({
      storedAt: v.storedAt,
      pick: () => ({
        record: {
          ...blankFacts(path),
          size: v.size,
          mtime: v.mtime,
          sha256: v.sha256,
          storedSize: v.storedSize,
          compressed: v.compressed,
          encrypted: v.encrypted,
          storedAt: v.storedAt,
        },
        open: () => provider.read(v.location),
      }),
    });
  }
  if (supports(provider, 'listVersions') && supports(provider, 'readVersion')) {
    for (const v of await provider.listVersions(path)) {
      if (v.isLatest && current) continue; // the current copy is already a candidate
      candidates.push({
        storedAt: v.storedAt,
        pick: () =>
          v.isDeleteMarker
            ? undefined
            : {
                record: {
                  ...(current ?? blankFacts(path)),
                  // The provider's version knows its stored size only: the original's is unknown when transformed.
                  size: current && (current.compressed || current.encrypted) ? -1 : v.size,
                  storedSize: v.size,
                  sha256: null,
                  mtime: UNKNOWN_MTIME,
                  storedAt: v.storedAt,
                },
                open: () => provider.readVersion!(path, v.versionId),
              },
      });
    }
  }
  const before = candidates.filter((c) => c.storedAt <= at).sort((a, b) => b.storedAt - a.storedAt);
  return before[0]?.pick();
}

function blankFacts(path: string): FileFacts {
  return {
    path, dir: parentOf(path), size: 0, mtime: UNKNOWN_MTIME, sha256: null, storedSize: 0, compressed: false, encrypted: false,
    remoteMtime: null, remoteId: null, versionId: null, archiveStatus: null, restoreRequestedAt: null, restoreExpiresAt: null,
    storedAt: null, lastRun: 0,
  };
}
