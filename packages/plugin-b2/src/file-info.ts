import { ProviderError } from '@nimbus/kernel/plugin';

/** B2's recommended spelling for the original's modification time (ms), understood by its web UI and other clients. */
export const SRC_LAST_MODIFIED = 'src_last_modified_millis';
/** B2's recommended spelling for the whole-file SHA-1 of a large file. */
export const LARGE_FILE_SHA1 = 'large_file_sha1';
/** The kernel's metadata key for the original mtime: stored as src_last_modified_millis, not twice. */
const KERNEL_MTIME_KEY = 'nimbus-mtime';

export const MAX_FILE_INFOS = 10;
/** B2's limit on the file name plus the file info headers. */
export const MAX_NAME_AND_INFO_BYTES = 7000;

const INFO_NAME = /^[a-z0-9\-_.`~!#$%^&*'|+]{1,50}$/;

/**
 * Custom file info for an upload: the mtime as src_last_modified_millis, then the
 * metadata. B2 lower-cases info names, allows at most 10 of them, reserves names starting
 * with "b2-", and limits the file name plus the info headers to 7,000 bytes; breaking any
 * of these is an `invalid` error before anything is sent.
 */
export function fileInfoFor(fileName: string, path: string, options: { mtime?: number; metadata?: Readonly<Record<string, string>> }): Record<string, string> {
  const info: Record<string, string> = {};
  const metadata = options.metadata ?? {};
  const kernelMtime = metadata[KERNEL_MTIME_KEY];
  const mtime = options.mtime ?? (kernelMtime !== undefined && /^\d+$/.test(kernelMtime) ? Number(kernelMtime) : undefined);
  if (mtime !== undefined) info[SRC_LAST_MODIFIED] = String(Math.round(mtime));
  for (const [key, value] of Object.entries(metadata)) {
    if (key === KERNEL_MTIME_KEY && info[SRC_LAST_MODIFIED] === value) continue;
    const name = key.toLowerCase();
    if (!INFO_NAME.test(name)) {
      throw new ProviderError('invalid', `"${path}": metadata key "${key}" is not a valid B2 file info name (letters, digits and - _ . \` ~ ! # $ % ^ & * ' | +, at most 50)`);
    }
    if (name.startsWith('b2-') || name === SRC_LAST_MODIFIED || name === LARGE_FILE_SHA1) {
      throw new ProviderError('invalid', `"${path}": metadata key "${key}" is reserved on B2`);
    }
    info[name] = value;
  }
  if (Object.keys(info).length > MAX_FILE_INFOS) {
    throw new ProviderError('invalid', `"${path}": B2 keeps at most ${MAX_FILE_INFOS} file info entries (the mtime counts as one), got ${Object.keys(info).length}`);
  }
  const bytes =
    Buffer.byteLength(encodeURIComponent(fileName)) +
    Object.entries(info).reduce((sum, [k, v]) => sum + Buffer.byteLength(`X-Bz-Info-${k}`) + Buffer.byteLength(encodeURIComponent(v)), 0);
  if (bytes > MAX_NAME_AND_INFO_BYTES) throw new ProviderError('invalid', `"${path}": file name and metadata exceed B2's ${MAX_NAME_AND_INFO_BYTES}-byte header limit`);
  return info;
}

/** X-Bz-Info-* headers for an upload (values percent-encoded, as B2 requires). */
export function infoHeaders(info: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(info).map(([k, v]) => [`X-Bz-Info-${k}`, encodeURIComponent(v)]));
}

/** The metadata an entry shows: the custom infos, with src_last_modified_millis as the kernel's nimbus-mtime. */
export function metadataFromInfo(info: Readonly<Record<string, string>>): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(info)) {
    if (k === SRC_LAST_MODIFIED) metadata[KERNEL_MTIME_KEY] = v;
    else if (k !== LARGE_FILE_SHA1 && !k.startsWith('b2-')) metadata[k] = v;
  }
  return metadata;
}

export function mtimeFromInfo(info: Readonly<Record<string, string>>): number | undefined {
  const value = info[SRC_LAST_MODIFIED];
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** The whole-file SHA-1: contentSha1 of a small file, large_file_sha1 of a large one when its uploader set it. */
export function sha1Of(contentSha1: string | null | undefined, info: Readonly<Record<string, string>>): string | undefined {
  const candidate = contentSha1 && contentSha1 !== 'none' ? contentSha1.replace(/^unverified:/, '') : info[LARGE_FILE_SHA1];
  return candidate !== undefined && /^[0-9a-fA-F]{40}$/.test(candidate) ? candidate.toLowerCase() : undefined;
}
