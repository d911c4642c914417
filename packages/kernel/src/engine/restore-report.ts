import { countOf, formatBytes, planLines, tailLines, type ReportHead, type ReportTail } from './report-common.js';

/** What a restore did; its exit code is partial too while files wait for an archive restore. */
export interface RestoreReport extends ReportHead, ReportTail {
  readonly mode: 'restore';
  readonly source: string;
  readonly target: string;
  readonly counts: {
    /** Files at the destination that matched the selection. */
    considered: number;
    restored: number;
    /** Already identical in the target folder. */
    unchanged: number;
    /** Kept because the local file is newer (use --force to overwrite). */
    skippedNewer: number;
    /** In archive storage: restore requested or still running; run again later. */
    pendingArchive: number;
    foldersCreated: number;
    failed: number;
    /**
     * Of the restored: files whose original modification time nobody knew (neither the cloud
     * database nor the destination), so they carry the time of the restore.
     */
    timesUnknown: number;
    /** Of the restored: files with no recorded SHA-256, so their content could be checked against size only. */
    hashesUnknown: number;
  };
  readonly bytes: { readonly restored: number };
}

export function formatRestoreReport(r: RestoreReport): string {
  const c = r.counts;
  const lines = [`${r.dryRun ? 'Dry run (nothing written): restore' : 'Restore'} of ${r.source} into ${r.target} [profile ${r.profile}]`];
  lines.push(...planLines(r.plan));
  lines.push(
    `${countOf(c.restored, 'file')} ${r.dryRun ? 'to restore' : 'restored'} (${formatBytes(r.bytes.restored)}), ${c.unchanged} already in place, ` +
      `${c.skippedNewer} kept (newer locally), ${c.pendingArchive} waiting for archive restore, ${c.failed} failed, ` +
      `of ${countOf(c.considered, 'file')} in ${(r.durationMs / 1000).toFixed(1)} s`,
  );
  if (c.pendingArchive) lines.push(`note: ${countOf(c.pendingArchive, 'file is', 'files are')} in archive storage; a restore was requested: run this command again once it is ready`);
  if (c.timesUnknown) {
    lines.push(
      `note: ${countOf(c.timesUnknown, 'file')} restored without their original modification time (not in the cloud database, not kept by the destination): ` +
        'they carry the time of the restore',
    );
  }
  if (c.hashesUnknown) lines.push(`note: ${countOf(c.hashesUnknown, 'file')} had no recorded SHA-256: their content was checked by size only`);
  if (c.skippedNewer) lines.push('note: newer local files were kept; use --force to overwrite them');
  lines.push(...tailLines(r));
  return lines.join('\n');
}
