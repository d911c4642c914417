import { parentOf, type ListOptions, type RemoteEntry, type StorageProvider } from '@nimbus/kernel';

/** A folder as a provider with virtual folders reports it: a name prefix, nothing more. */
export function prefixFolder(path: string): RemoteEntry {
  return { path, kind: 'folder', size: 0 };
}

/**
 * Pages of `inner.list(dir)` as a provider with virtual folders would give them: a folder
 * appears only when some file lies below it. Recursive listings derive folders from file
 * paths (remembering only the folder names already reported); one-level listings look
 * below each folder for a first file.
 */
export async function* listWithVirtualFolders(
  inner: StorageProvider,
  dir: string,
  options: ListOptions,
  adapt: (entry: RemoteEntry) => RemoteEntry,
): AsyncIterable<RemoteEntry[]> {
  const reported = new Set<string>();
  for await (const page of inner.list(dir, options)) {
    const out: RemoteEntry[] = [];
    for (const entry of page) {
      if (entry.kind === 'file') {
        out.push(adapt(entry));
        if (options.recursive) {
          for (let folder = parentOf(entry.path); folder !== dir && !reported.has(folder); folder = parentOf(folder)) {
            reported.add(folder);
            out.push(prefixFolder(folder));
          }
        }
      } else if (!options.recursive && (await holdsAFile(inner, entry.path))) {
        out.push(prefixFolder(entry.path));
      }
    }
    if (out.length) yield out;
  }
}

async function holdsAFile(inner: StorageProvider, dir: string): Promise<boolean> {
  for await (const page of inner.list(dir, { recursive: true })) {
    if (page.some((e) => e.kind === 'file')) return true;
  }
  return false;
}
