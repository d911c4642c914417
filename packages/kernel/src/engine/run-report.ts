import { countOf, formatBytes, planLines, tailLines, type ReportHead, type ReportTail } from './report-common.js';

/** What a backup run did, as text for people and as JSON for programs (`--json`). */
export interface RunReport extends ReportHead, ReportTail {
  readonly mode: 'backup';
  readonly source: string;
  /** Secret-free description of the destination. */
  readonly destination: string;
  readonly counts: {
    /** Source files considered (after filters). */
    scanned: number;
    unchanged: number;
    /**
     * Of the unchanged: files found already at the destination with no record of them (written
     * by another tool, or before the cloud database was lost), recorded without an upload.
     */
    adopted: number;
    /** New files uploaded. */
    uploaded: number;
    /** Changed files uploaded again. */
    updated: number;
    /** Files whose content matched but whose recorded mtime was corrected. */
    touched: number;
    deleted: number;
    /** Destination files whose source is gone, kept because deleteRemoved is off. */
    keptDeleted: number;
    foldersCreated: number;
    foldersRemoved: number;
    /** Empty source folders that the destination cannot hold (virtual folders). */
    emptyFoldersSkipped: number;
    symlinksSkipped: number;
    failed: number;
  };
  readonly bytes: { readonly uploaded: number };
}

/** The human summary printed at the end of a run. */
export function formatReport(r: RunReport): string {
  const c = r.counts;
  const lines: string[] = [];
  const head = r.dryRun ? 'Dry run (nothing written)' : 'Backup';
  lines.push(`${head} of ${r.source} to ${r.destination} [profile ${r.profile}]`);
  lines.push(...planLines(r.plan));
  const verb = r.dryRun ? 'to transfer' : 'transferred';
  lines.push(
    `${countOf(c.uploaded + c.updated, 'file')} ${verb} (${c.uploaded} new, ${c.updated} changed, ${formatBytes(r.bytes.uploaded)}), ` +
      `${c.unchanged} unchanged, ${c.deleted} deleted, ${c.failed} failed, of ${countOf(c.scanned, 'file')} scanned in ${(r.durationMs / 1000).toFixed(1)} s`,
  );
  const extra: string[] = [];
  if (c.adopted) extra.push(`${countOf(c.adopted, 'file')} already at the destination taken over without upload`);
  if (c.touched) extra.push(`${countOf(c.touched, 'mtime')} corrected`);
  if (c.foldersCreated) extra.push(`${countOf(c.foldersCreated, 'folder')} created`);
  if (c.foldersRemoved) extra.push(`${countOf(c.foldersRemoved, 'folder')} removed`);
  if (c.keptDeleted) extra.push(`${countOf(c.keptDeleted, 'file')} kept though deleted at the source`);
  if (c.emptyFoldersSkipped) extra.push(`${countOf(c.emptyFoldersSkipped, 'empty folder')} skipped`);
  if (c.symlinksSkipped) extra.push(`${countOf(c.symlinksSkipped, 'symbolic link')} skipped`);
  if (extra.length) lines.push(extra.join(', '));
  lines.push(...tailLines(r));
  return lines.join('\n');
}
