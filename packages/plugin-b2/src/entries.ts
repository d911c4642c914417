import type { RemoteEntry } from '@nimbus/kernel/plugin';
import type { B2File } from './b2-api-types.js';
import { decodeHeaderValue } from './file-names.js';
import { metadataFromInfo, mtimeFromInfo, sha1Of } from './file-info.js';

function entry(path: string, size: number, fileId: string, uploadTimestamp: number, contentSha1: string | null, info: Readonly<Record<string, string>>): RemoteEntry {
  const sha1 = sha1Of(contentSha1, info);
  const metadata = metadataFromInfo(info);
  return {
    path,
    kind: 'file',
    size,
    // The original's mtime when given at upload (src_last_modified_millis), else the upload time.
    mtime: mtimeFromInfo(info) ?? uploadTimestamp,
    ...(sha1 ? { hashes: { sha1 } } : {}),
    ...(Object.keys(metadata).length ? { metadata } : {}),
    remoteId: fileId,
    versionId: fileId,
  };
}

/** An entry from B2's file structure (listings, upload and finish answers). */
export function entryFromFile(path: string, file: B2File): RemoteEntry {
  return entry(path, file.contentLength, file.fileId ?? '', file.uploadTimestamp, file.contentSha1, file.fileInfo ?? {});
}

/** An entry from the headers of a download (or HEAD) answer. */
export function entryFromHeaders(path: string, headers: Headers): RemoteEntry {
  const info: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name.toLowerCase().startsWith('x-bz-info-')) info[name.slice('x-bz-info-'.length).toLowerCase()] = decodeHeaderValue(value);
  });
  const range = headers.get('content-range');
  const size = range ? Number(range.split('/')[1]) : Number(headers.get('content-length') ?? 0);
  return entry(path, size, headers.get('x-bz-file-id') ?? '', Number(headers.get('x-bz-upload-timestamp') ?? 0), headers.get('x-bz-content-sha1'), info);
}
