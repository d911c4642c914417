import type { CloudDatabase, FolderFacts } from '../database/cloud-database.js';
import type { Logger } from '../log/logger.js';
import { parentOf } from '../provider/paths.js';
import type { StorageProvider } from '../provider/storage-provider.js';
import pLimit from 'p-limit';
import type { RemoteEntry } from '../provider/remote-entry.js';
import { factsFromRemote, UNKNOWN_MTIME } from './destination-facts.js';
import type { RecordWriter } from './record-writer.js';
import { isReservedPath } from './reserved-paths.js';
import { listWithRetry } from './listing-with-retry.js';
import { withRetry } from './retry.js';
import type { ExistingObjectAdopter } from './adopt-existing.js';

/**
 * Rebuild the database's view of the destination from a full listing, a page at a time:
 * records whose stored object is unchanged keep their facts (original mtime, hash...);
 * new or changed objects get what the object itself says (metadata, settable mtime);
 * records of objects no longer there are dropped. With an `adopter` (a backup with its source
 * at hand), objects without a record that already hold the source file are taken over.
 */
export async function reconcileWithListing(
  provider: StorageProvider,
  db: CloudDatabase,
  writer: RecordWriter,
  runId: number,
  logger: Logger,
  adopter?: ExistingObjectAdopter,
): Promise<void> {
  const caps = provider.capabilities;
  const tolerance = Math.max(1, caps.mtime.precisionMs);
  const seenFolders = new Set<string>();
  const folderFact = (path: string): FolderFacts => ({ path, parent: parentOf(path), created: caps.folders === 'real', lastRun: runId });
  const addFolderChain = (path: string) => {
    for (let p = path; p !== '' && !seenFolders.has(p); p = parentOf(p)) {
      seenFolders.add(p);
      writer.saveFolder(folderFact(p));
    }
  };
  // Listings rarely carry custom metadata (S3, Swift): where the provider keeps it, ask each
  // object the database does not know about (a HEAD), so its original mtime and size are
  // learnt instead of the file being sent again.
  const unknown: RemoteEntry[] = [];
  const limit = pLimit(8);
  const learnFacts = async (entries: RemoteEntry[]) => {
    const learnt = await Promise.all(
      entries.map((entry) =>
        limit(async () => {
          // A free hash matching the local file settles it before any further request.
          const byHash = await adopter?.byFreeHash(entry, runId);
          if (byHash) return byHash;
          let described = entry;
          if (factsFromRemote(entry, caps, runId).mtime === UNKNOWN_MTIME && caps.metadata && !entry.metadata) {
            const full = await withRetry(() => provider.stat(entry.path)).catch(() => undefined);
            if (full) described = { ...full, path: entry.path };
          }
          const facts = factsFromRemote(described, caps, runId);
          return adopter ? adopter.review(described, facts) : facts;
        }),
      ),
    );
    for (const facts of learnt) writer.saveFile(facts);
  };
  for await (const listed of listWithRetry(provider, '', { recursive: true })) {
    const page = listed.filter((e) => !isReservedPath(e.path));
    const files = page.filter((e) => e.kind === 'file');
    const known = new Map((await db.getFiles(files.map((f) => f.path))).map((r) => [r.path, r]));
    for (const entry of page) {
      if (entry.kind === 'folder') {
        addFolderChain(entry.path);
        continue;
      }
      addFolderChain(parentOf(entry.path));
      const record = known.get(entry.path);
      const stillSame =
        record !== undefined &&
        record.storedSize === entry.size &&
        (record.remoteMtime === null || entry.mtime === undefined || Math.abs(record.remoteMtime - entry.mtime) < tolerance);
      if (stillSame) writer.saveFile({ ...record, lastRun: runId });
      else unknown.push(entry);
    }
    await learnFacts(unknown.splice(0));
  }
  await writer.flush();
  const dropped = await db.removeUnseen(runId);
  if (dropped.files) logger.warn(`${dropped.files} files recorded in the cloud database are no longer at the destination`);
}
