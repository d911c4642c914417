import { parentOf, type RemoteEntry } from '@nimbus/kernel/plugin';
import type { B2ListFileNamesResponse } from './b2-api-types.js';
import type { B2Client } from './b2-client.js';
import type { B2ErrorMapper } from './b2-errors.js';
import { entryFromFile } from './entries.js';
import type { FileNames } from './file-names.js';

/** b2_list_file_names is billed per 1,000 names returned, so pages stay at or below that. */
const MAX_PAGE = 1000;

/**
 * Pages of the files below `dir` via b2_list_file_names, which shows the newest version of
 * each name and hides hidden (deleted) files. One level: files plus folders (B2's "folder"
 * entries at the "/" delimiter). Recursive: every file, and each virtual folder once,
 * derived from the paths of the files below it.
 */
export async function* listEntries(
  context: { client: B2Client; errors: B2ErrorMapper; bucketId: string; names: FileNames },
  dir: string,
  options: { recursive: boolean; pageSize?: number },
): AsyncGenerator<RemoteEntry[]> {
  const prefix = context.names.folderPrefix(dir);
  const maxFileCount = Math.max(1, Math.min(MAX_PAGE, Math.floor(options.pageSize ?? MAX_PAGE)));
  const reportedFolders = new Set<string>();
  let startFileName: string | null = null;
  do {
    const page: B2ListFileNamesResponse = await context.errors.run(`list "${dir}"`, () =>
      context.client.call<B2ListFileNamesResponse>('b2_list_file_names', {
        bucketId: context.bucketId,
        prefix,
        maxFileCount,
        ...(options.recursive ? {} : { delimiter: '/' }),
        ...(startFileName !== null ? { startFileName } : {}),
      }),
    );
    const entries: RemoteEntry[] = [];
    for (const file of page.files) {
      if (file.action === 'folder') {
        const path = context.names.pathOf(file.fileName.replace(/\/$/, ''));
        if (path !== undefined) entries.push({ path, kind: 'folder', size: 0 });
        continue;
      }
      if (file.action !== 'upload') continue;
      const path = context.names.pathOf(file.fileName);
      if (path === undefined) continue;
      entries.push(entryFromFile(path, file));
      if (options.recursive) {
        for (let folder = parentOf(path); folder !== dir && folder !== '' && !reportedFolders.has(folder); folder = parentOf(folder)) {
          reportedFolders.add(folder);
          entries.push({ path: folder, kind: 'folder', size: 0 });
        }
      }
    }
    if (entries.length) yield entries;
    startFileName = page.nextFileName;
  } while (startFileName !== null);
}
