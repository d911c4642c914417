import { ExitCode } from '../errors/nimbus-error.js';
import type { PlannedAction } from './progress.js';

export interface FileFailure {
  readonly path: string;
  readonly operation: 'scan' | 'upload' | 'delete' | 'rename' | 'make-folder' | 'remove-folder' | 'touch' | 'restore';
  readonly error: string;
}

/** What every report (backup, restore, sync) opens with. */
export interface ReportHead {
  readonly profile: string;
  readonly dryRun: boolean;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
}

/** What every report closes with. */
export interface ReportTail {
  readonly failures: readonly FileFailure[];
  /** One-line notices: features a provider lacks and what Nimbus did instead. */
  readonly notes: readonly string[];
  /** Dry runs: what would have been done. */
  readonly plan?: readonly PlannedAction[];
  /** 0 when everything is done; 1 (partial) when files failed or the run left work for later. */
  readonly exitCode: number;
}

export function reportHead(profile: string, dryRun: boolean, started: number, finished: number): ReportHead {
  return { profile, dryRun, startedAt: new Date(started).toISOString(), finishedAt: new Date(finished).toISOString(), durationMs: finished - started };
}

/** `unfinished`: the run stopped short of the whole job without a failure (archive restores pending, deletions held back). */
export function reportTail(o: { failures: readonly FileFailure[]; notes: Iterable<string>; plan?: readonly PlannedAction[] | undefined; unfinished?: boolean }): ReportTail {
  return {
    failures: o.failures,
    notes: [...o.notes],
    ...(o.plan ? { plan: o.plan } : {}),
    exitCode: o.failures.length > 0 || o.unfinished ? ExitCode.partial : ExitCode.ok,
  };
}

/** `1 file`, `2 files`: a count with its noun in the right number. */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
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

/** A dry run's plan, one line per action. */
export function planLines(plan: readonly PlannedAction[] | undefined): string[] {
  return (plan ?? []).map((a) => `  would ${a.action} ${a.path}${a.bytes !== undefined ? ` (${formatBytes(a.bytes)})` : ''}`);
}

/** The notes, then each failure. */
export function tailLines(r: ReportTail): string[] {
  return [...r.notes.map((n) => `note: ${n}`), ...r.failures.map((f) => `failed: ${f.operation} ${f.path}: ${f.error}`)];
}
