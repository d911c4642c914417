import type { FileRecord } from './entities/file-record.js';
import type { FolderRecord } from './entities/folder-record.js';
import type { RunRecord } from './entities/run-record.js';
import type { VersionRecord } from './entities/version-record.js';
import type { SavedUploadSession } from '../upload/upload-session-store.js';

/** A file's facts as plain data (what the engine reads and writes). */
export type FileFacts = { -readonly [K in keyof FileRecord]: FileRecord[K] };
export type FolderFacts = { -readonly [K in keyof FolderRecord]: FolderRecord[K] };
export type VersionFacts = Omit<{ -readonly [K in keyof VersionRecord]: VersionRecord[K] }, 'id'> & { id?: number };
export type RunFacts = { -readonly [K in keyof RunRecord]: RunRecord[K] };

/** Rows as sqlite3 returns them: the entities' column names (snake_case), booleans as 0/1. */
export interface FileRow {
  path: string; dir: string; size: number; mtime: number; sha256: string | null; stored_size: number;
  compressed: number; encrypted: number; remote_mtime: number | null; remote_id: string | null; version_id: string | null;
  archive_status: string | null; restore_requested_at: number | null; restore_expires_at: number | null;
  stored_at: number | null; last_run: number;
}
export interface FolderRow { path: string; parent: string; created: number; last_run: number }
export interface VersionRow {
  id: number; path: string; location: string; stored_at: number; superseded_at: number; size: number; mtime: number;
  sha256: string | null; stored_size: number; compressed: number; encrypted: number;
}
export interface UploadSessionRow { path: string; source: string; state: string; part_size: number; started_at: number }
export interface UploadPartRow { path: string; number: number; size: number; digest: string | null; token: string }
export interface RunRow {
  id: number; mode: string; started_at: number; finished_at: number | null; status: RunFacts['status'];
  files_uploaded: number; bytes_uploaded: number; files_deleted: number; files_failed: number;
}

/** The `files` columns besides the key, in the order `fileValues` lists them. */
export const FILE_COLUMNS = [
  'dir', 'size', 'mtime', 'sha256', 'stored_size', 'compressed', 'encrypted', 'remote_mtime',
  'remote_id', 'version_id', 'archive_status', 'restore_requested_at', 'restore_expires_at', 'stored_at', 'last_run',
] as const;

export function fileValues(r: FileFacts): (string | number | null)[] {
  return [
    r.path, r.dir, r.size, r.mtime, r.sha256, r.storedSize, r.compressed ? 1 : 0, r.encrypted ? 1 : 0, r.remoteMtime,
    r.remoteId, r.versionId, r.archiveStatus, r.restoreRequestedAt, r.restoreExpiresAt, r.storedAt, r.lastRun,
  ];
}

export function toFileFacts(r: FileRow): FileFacts {
  return {
    path: r.path, dir: r.dir, size: r.size, mtime: r.mtime, sha256: r.sha256, storedSize: r.stored_size,
    compressed: r.compressed === 1, encrypted: r.encrypted === 1, remoteMtime: r.remote_mtime, remoteId: r.remote_id,
    versionId: r.version_id, archiveStatus: r.archive_status, restoreRequestedAt: r.restore_requested_at,
    restoreExpiresAt: r.restore_expires_at, storedAt: r.stored_at, lastRun: r.last_run,
  };
}

export function toFolderFacts(r: FolderRow): FolderFacts {
  return { path: r.path, parent: r.parent, created: r.created === 1, lastRun: r.last_run };
}

export function toVersionFacts(r: VersionRow): VersionFacts & { id: number } {
  return {
    id: r.id, path: r.path, location: r.location, storedAt: r.stored_at, supersededAt: r.superseded_at, size: r.size,
    mtime: r.mtime, sha256: r.sha256, storedSize: r.stored_size, compressed: r.compressed === 1, encrypted: r.encrypted === 1,
  };
}

export function toRunFacts(r: RunRow): RunFacts {
  return {
    id: r.id, mode: r.mode, startedAt: r.started_at, finishedAt: r.finished_at, status: r.status, filesUploaded: r.files_uploaded,
    bytesUploaded: r.bytes_uploaded, filesDeleted: r.files_deleted, filesFailed: r.files_failed,
  };
}

export function toSavedUploadSession(r: UploadSessionRow, parts: readonly UploadPartRow[]): SavedUploadSession {
  return {
    path: r.path,
    source: r.source,
    state: r.state,
    partSize: r.part_size,
    startedAt: r.started_at,
    parts: parts.map((p) => ({ number: p.number, size: p.size, token: p.token, ...(p.digest !== null ? { digest: p.digest } : {}) })),
  };
}
