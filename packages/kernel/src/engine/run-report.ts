import { ExitCode } from '../errors/nimbus-error.js';
import type { PlannedAction } from './progress.js';

export interface FileFailure {
  readonly path: string;
  readonly operation: 'scan' | 'upload' | 'delete' | 'make-folder' | 'remove-folder' | 'touch' | 'restore';
  readonly error: string;
}

/** What a run did, as text for people and as JSON for programs (`--json`). */
export interface RunReport {
  readonly profile: string;
  readonly mode: 'backup';
  readonly dryRun: boolean;
  readonly source: string;
  /** Secret-free description of the destination. */
  readonly destination: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly counts: {
    /** Source files considered (after filters). */
    scanned: number;
    unchanged: number;
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
  readonly failures: readonly FileFailure[];
  /** One-line notices: features a provider lacks and what Nimbus did instead. */
  readonly notes: readonly string[];
  /** Dry runs: what would have been done. */
  readonly plan?: readonly PlannedAction[];
  readonly exitCode: number;
}

/** When a run began and ended, as every report gives it. */
export function runTimes(started: number, finished: number): { startedAt: string; finishedAt: string; durationMs: number } {
  return { startedAt: new Date(started).toISOString(), finishedAt: new Date(finished).toISOString(), durationMs: finished - started };
}

export function exitCodeFor(failed: number): number {
  return failed > 0 ? ExitCode.partial : ExitCode.ok;
}

const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
export function formatBytes(n: number): string {
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

/** The human summary printed at the end of a run. */
export function formatReport(r: RunReport): string {
  const c = r.counts;
  const lines: string[] = [];
  const head = r.dryRun ? 'Dry run (nothing written)' : 'Backup';
  lines.push(`${head} of ${r.source} to ${r.destination} [profile ${r.profile}]`);
  if (r.plan) for (const a of r.plan) lines.push(`  would ${a.action} ${a.path}${a.bytes !== undefined ? ` (${formatBytes(a.bytes)})` : ''}`);
  const verb = r.dryRun ? 'to transfer' : 'transferred';
  lines.push(
    `${c.uploaded + c.updated} files ${verb} (${c.uploaded} new, ${c.updated} changed, ${formatBytes(r.bytes.uploaded)}), ` +
      `${c.unchanged} unchanged, ${c.deleted} deleted, ${c.failed} failed, of ${c.scanned} files scanned in ${(r.durationMs / 1000).toFixed(1)} s`,
  );
  const extra: string[] = [];
  if (c.touched) extra.push(`${c.touched} mtimes corrected`);
  if (c.foldersCreated) extra.push(`${c.foldersCreated} folders created`);
  if (c.foldersRemoved) extra.push(`${c.foldersRemoved} folders removed`);
  if (c.keptDeleted) extra.push(`${c.keptDeleted} files kept though deleted at the source`);
  if (c.emptyFoldersSkipped) extra.push(`${c.emptyFoldersSkipped} empty folders skipped`);
  if (c.symlinksSkipped) extra.push(`${c.symlinksSkipped} symbolic links skipped`);
  if (extra.length) lines.push(extra.join(', '));
  for (const note of r.notes) lines.push(`note: ${note}`);
  for (const f of r.failures) lines.push(`failed: ${f.operation} ${f.path}: ${f.error}`);
  return lines.join('\n');
}
