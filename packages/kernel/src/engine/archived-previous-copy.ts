import type { FileFacts } from '../database/cloud-database.js';

/**
 * A file could not be overwritten or deleted yet: its destination copy sits in an archive
 * tier, where it can be neither copied nor moved, so it cannot be kept as a version until
 * a restore makes it readable. The restore was requested (or is running); the change waits
 * for a later run, and the destination copy is left as it is. Not a failure: nothing was
 * lost and a later run finishes the change by itself.
 */
export class PreviousCopyArchivedError extends Error {
  constructor(
    /** The destination's record with its archive state (and restore request time) updated. */
    readonly record: FileFacts,
    readonly change: 'update' | 'delete',
  ) {
    super(
      `${record.path}: not ${change === 'update' ? 'updated' : 'deleted'} yet: its copy at the destination is in archive storage and must be restored before it can be kept as a version; ` +
        `a restore is under way, and a run after it is ready (this can take hours) finishes the ${change}`,
    );
    this.name = 'PreviousCopyArchivedError';
  }
}
