import type { ConflictRule } from '../config/profile.js';
import { countOf, formatBytes, planLines, tailLines, type ReportHead, type ReportTail } from './report-common.js';

export interface SyncConflict {
  readonly path: string;
  readonly rule: ConflictRule;
  /** What was done: which side's copy won, or the name the other copy was kept under. */
  readonly outcome: string;
}

/** What a two-way sync did; its exit code is partial too when it held deletions back. */
export interface SyncReport extends ReportHead, ReportTail {
  readonly mode: 'sync';
  readonly source: string;
  readonly destination: string;
  readonly counts: {
    uploaded: number;
    downloaded: number;
    deletedAtDestination: number;
    deletedAtSource: number;
    unchanged: number;
    conflicts: number;
    failed: number;
  };
  readonly bytes: { readonly uploaded: number; readonly downloaded: number };
  readonly conflicts: readonly SyncConflict[];
  /** True when the run stopped before deleting because too many files would have gone. */
  readonly stoppedForDeletions: boolean;
}

export function formatSyncReport(r: SyncReport): string {
  const c = r.counts;
  const lines = [`${r.dryRun ? 'Dry run (nothing written): sync' : 'Sync'} of ${r.source} with ${r.destination} [profile ${r.profile}]`];
  lines.push(...planLines(r.plan));
  lines.push(
    `${c.uploaded} up (${formatBytes(r.bytes.uploaded)}), ${c.downloaded} down (${formatBytes(r.bytes.downloaded)}), ` +
      `${c.deletedAtDestination} deleted at the destination, ${c.deletedAtSource} deleted at the source, ` +
      `${c.unchanged} unchanged, ${countOf(c.conflicts, 'conflict')}, ${c.failed} failed in ${(r.durationMs / 1000).toFixed(1)} s`,
  );
  for (const k of r.conflicts) lines.push(`conflict: ${k.path} (changed on both sides; rule ${k.rule}): ${k.outcome}`);
  lines.push(...tailLines(r));
  return lines.join('\n');
}
