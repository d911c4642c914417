import { badRequest, B2WireError, compareNames, type B2FileJson } from './b2-wire.js';
import type { B2Store } from './b2-store.js';

export interface ListRequest {
  readonly bucketId: string;
  readonly startFileName?: string;
  readonly startFileId?: string;
  readonly maxFileCount?: number;
  readonly prefix?: string;
  readonly delimiter?: string;
}

interface Listed {
  readonly json: B2FileJson;
  readonly name: string;
  readonly id: string | null;
}

function maxCount(value: number | undefined): number {
  if (value === undefined || value === 0) return 100;
  if (!Number.isInteger(value) || value < 0 || value > 10_000) throw new B2WireError(400, 'out_of_range', 'maxFileCount out of range: 1-10000');
  return value;
}

/** Entries grouped into folders at the delimiter, each folder once, in name order. */
function grouped(entries: Listed[], store: B2Store, bucketId: string, prefix: string, delimiter: string | undefined): Listed[] {
  if (!delimiter) return entries;
  const out: Listed[] = [];
  const seen = new Set<string>();
  for (const e of entries) {
    const rest = e.name.slice(prefix.length);
    const cut = rest.indexOf(delimiter);
    if (cut < 0) {
      out.push(e);
      continue;
    }
    const folder = prefix + rest.slice(0, cut + delimiter.length);
    if (seen.has(folder)) continue;
    seen.add(folder);
    out.push({ json: store.folderJson(bucketId, folder), name: folder, id: null });
  }
  return out.sort((a, b) => compareNames(a.name, b.name));
}

/** b2_list_file_names: the newest version of each name when it is an upload (hidden files are not listed). */
export function listFileNames(store: B2Store, request: ListRequest): { files: B2FileJson[]; nextFileName: string | null } {
  store.bucket(request.bucketId);
  const prefix = request.prefix ?? '';
  const count = maxCount(request.maxFileCount);
  const latest = new Map<string, Listed>();
  for (const v of store.sortedVersions(request.bucketId)) {
    if (!v.fileName.startsWith(prefix) || latest.has(v.fileName)) continue;
    latest.set(v.fileName, { json: store.toJson(v), name: v.fileName, id: v.fileId });
  }
  const visible = [...latest.values()].filter((e) => e.json.action === 'upload');
  const all = grouped(visible, store, request.bucketId, prefix, request.delimiter);
  const start = request.startFileName ?? '';
  const from = all.filter((e) => compareNames(e.name, start) >= 0);
  return { files: from.slice(0, count).map((e) => e.json), nextFileName: from[count]?.name ?? null };
}

/** b2_list_file_versions: every upload, hide marker and unfinished large file, by name, newest first within a name. */
export function listFileVersions(
  store: B2Store,
  request: ListRequest,
): { files: B2FileJson[]; nextFileName: string | null; nextFileId: string | null } {
  store.bucket(request.bucketId);
  if (request.startFileId !== undefined && request.startFileName === undefined) throw badRequest('startFileName must be given with startFileId');
  const prefix = request.prefix ?? '';
  const count = maxCount(request.maxFileCount);
  const entries: Listed[] = store
    .sortedVersions(request.bucketId)
    .filter((v) => v.fileName.startsWith(prefix))
    .map((v) => ({ json: store.toJson(v), name: v.fileName, id: v.fileId }));
  for (const l of store.largeFiles.values()) {
    if (l.bucketId === request.bucketId && l.fileName.startsWith(prefix)) entries.push({ json: store.largeFileJson(l), name: l.fileName, id: l.fileId });
  }
  entries.sort((a, b) => compareNames(a.name, b.name) || b.json.uploadTimestamp - a.json.uploadTimestamp);
  const all = grouped(entries, store, request.bucketId, prefix, request.delimiter);
  const start = request.startFileName ?? '';
  let from = all.filter((e) => compareNames(e.name, start) >= 0);
  if (request.startFileId !== undefined) {
    const at = from.findIndex((e) => e.name === start && e.id === request.startFileId);
    if (at >= 0) from = from.slice(at);
  }
  const next = from[count];
  return { files: from.slice(0, count).map((e) => e.json), nextFileName: next?.name ?? null, nextFileId: next?.id ?? null };
}
