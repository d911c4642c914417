import type { B2File, B2ListUnfinishedResponse } from './b2-api-types.js';
import type { B2Client } from './b2-client.js';
import type { B2ErrorMapper } from './b2-errors.js';

/** Large files started below `namePrefix` and neither finished nor cancelled. */
export async function listUnfinishedLargeFiles(context: { client: B2Client; errors: B2ErrorMapper; bucketId: string }, namePrefix: string): Promise<B2File[]> {
  const files: B2File[] = [];
  let startFileId: string | null = null;
  do {
    const page: B2ListUnfinishedResponse = await context.errors.run('list unfinished large files', () =>
      context.client.call<B2ListUnfinishedResponse>('b2_list_unfinished_large_files', {
        bucketId: context.bucketId,
        namePrefix,
        maxFileCount: 100,
        ...(startFileId !== null ? { startFileId } : {}),
      }),
    );
    files.push(...page.files);
    startFileId = page.nextFileId;
  } while (startFileId !== null);
  return files;
}

/**
 * Cancel every unfinished large file below the prefix (parts of a killed run are billed and
 * invisible in listings). Only safe while no write to this destination runs.
 */
export async function cancelUnfinishedLargeFiles(context: { client: B2Client; errors: B2ErrorMapper; bucketId: string }, namePrefix: string): Promise<number> {
  let cancelled = 0;
  for (const file of await listUnfinishedLargeFiles(context, namePrefix)) {
    try {
      await context.errors.run(`cancel the unfinished large file "${file.fileName}"`, () => context.client.call('b2_cancel_large_file', { fileId: file.fileId }));
      cancelled++;
    } catch (error) {
      // Finished or cancelled meanwhile is what we wanted.
      if ((error as { kind?: string }).kind !== 'invalid' && (error as { kind?: string }).kind !== 'not-found') throw error;
    }
  }
  return cancelled;
}
