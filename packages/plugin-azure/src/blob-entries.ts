import type { RemoteEntry } from '@nimbus/kernel/plugin';
import { archiveStateOf } from './archive-state.js';
import { fromAzureMetadata } from './metadata-names.js';

/** The blob facts both Get Blob Properties and List Blobs report. */
export interface BlobFacts {
  readonly contentLength?: number;
  readonly lastModified?: Date;
  readonly contentMD5?: Uint8Array;
  readonly accessTier?: string;
  readonly archiveStatus?: string;
  readonly metadata?: Record<string, string>;
}

export function fileEntry(path: string, facts: BlobFacts): RemoteEntry {
  const metadata = fromAzureMetadata(facts.metadata);
  const archive = archiveStateOf(facts.accessTier, facts.archiveStatus);
  return {
    path,
    kind: 'file',
    size: facts.contentLength ?? 0,
    ...(facts.lastModified ? { mtime: facts.lastModified.getTime() } : {}),
    ...(facts.contentMD5 && facts.contentMD5.length ? { hashes: { md5: Buffer.from(facts.contentMD5).toString('hex') } } : {}),
    ...(metadata ? { metadata } : {}),
    ...(archive ? { archive } : {}),
  };
}

export function folderEntry(path: string): RemoteEntry {
  return { path, kind: 'folder', size: 0 };
}
