import { ExitCode } from '../errors/nimbus-error.js';
import type { PlannedAction } from './progress.js';
import { formatBytes, type FileFailure } from './run-report.js';

/** What a restore did. */
export interface RestoreReport {
  readonly profile: string;
  readonly mode: 'restore';
  readonly dryRun: boolean;
  readonly source: string;
  readonly target: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
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
  };
  readonly bytes: { readonly restored: number };
  readonly failures: readonly FileFailure[];
  readonly notes: readonly string[];
  readonly plan?: readonly PlannedAction[];
  /** 0 when everything selected is in place; 1 when files failed or wait for an archive restore. */
  readonly exitCode: number;
}

export function formatRestoreReport(r: RestoreReport): string {
  const c = r.counts;
  const lines = [`${r.dryRun ? 'Dry run (nothing written): restore' : 'Restore'} of ${r.source} into ${r.target} [profile ${r.profile}]`];
  if (r.plan) for (const a of r.plan) lines.push(`  would ${a.action} ${a.path}${a.bytes !== undefined ? ` (${formatBytes(a.bytes)})` : ''}`);
  lines.push(
    `${c.restored} files ${r.dryRun ? 'to restore' : 'restored'} (${formatBytes(r.bytes.restored)}), ${c.unchanged} already in place, ` +
      `${c.skippedNewer} kept (newer locally), ${c.pendingArchive} waiting for archive restore, ${c.failed} failed, ` +
      `of ${c.considered} files in ${(r.durationMs / 1000).toFixed(1)} s`,
  );
  if (c.pendingArchive) lines.push(`note: ${c.pendingArchive} files are in archive storage; a restore was requested: run this command again once it is ready`);
  if (c.skippedNewer) lines.push('note: newer local files were kept; use --force to overwrite them');
  for (const n of r.notes) lines.push(`note: ${n}`);
  for (const f of r.failures) lines.push(`failed: ${f.operation} ${f.path}: ${f.error}`);
  return lines.join('\n');
}

export function restoreExitCode(failed: number, pending: number): number {
  return failed > 0 || pending > 0 ? ExitCode.partial : ExitCode.ok;
}
