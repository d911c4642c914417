import type { ConflictRule } from '../config/profile.js';
import { ExitCode } from '../errors/nimbus-error.js';
import type { PlannedAction } from './progress.js';
import { formatBytes, type FileFailure } from './run-report.js';

export interface SyncConflict {
  readonly path: string;
  readonly rule: ConflictRule;
  /** What was done: which side's copy won, or the name the other copy was kept under. */
  readonly outcome: string;
}

/** What a two-way sync did. */
export interface SyncReport {
  readonly profile: string;
  readonly mode: 'sync';
  readonly dryRun: boolean;
  readonly source: string;
  readonly destination: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
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
  readonly failures: readonly FileFailure[];
  readonly notes: readonly string[];
  readonly plan?: readonly PlannedAction[];
  /** True when the run stopped before deleting because too many files would have gone. */
  readonly stoppedForDeletions: boolean;
  readonly exitCode: number;
}

export function syncExitCode(failed: number, stopped: boolean): number {
  return failed > 0 || stopped ? ExitCode.partial : ExitCode.ok;
}

export function formatSyncReport(r: SyncReport): string {
  const c = r.counts;
  const lines = [`${r.dryRun ? 'Dry run (nothing written): sync' : 'Sync'} of ${r.source} with ${r.destination} [profile ${r.profile}]`];
  if (r.plan) for (const a of r.plan) lines.push(`  would ${a.action} ${a.path}${a.bytes !== undefined ? ` (${formatBytes(a.bytes)})` : ''}`);
  lines.push(
    `${c.uploaded} up (${formatBytes(r.bytes.uploaded)}), ${c.downloaded} down (${formatBytes(r.bytes.downloaded)}), ` +
      `${c.deletedAtDestination} deleted at the destination, ${c.deletedAtSource} deleted at the source, ` +
      `${c.unchanged} unchanged, ${c.conflicts} conflicts, ${c.failed} failed in ${(r.durationMs / 1000).toFixed(1)} s`,
  );
  for (const k of r.conflicts) lines.push(`conflict: ${k.path} (changed on both sides; rule ${k.rule}): ${k.outcome}`);
  for (const n of r.notes) lines.push(`note: ${n}`);
  for (const f of r.failures) lines.push(`failed: ${f.operation} ${f.path}: ${f.error}`);
  return lines.join('\n');
}
