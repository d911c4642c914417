/** Metadata keys Nimbus stores on objects when the provider keeps custom metadata. */
export const META_KEYS = {
  mtime: 'nimbus-mtime',
  size: 'nimbus-size',
  sha256: 'nimbus-sha256',
  /** How the content is stored: 'c' compressed, 'e' encrypted, 'ce' both (absent: as is). */
  stored: 'nimbus-stored',
} as const;

/**
 * Metadata keys other tools keep an object's modification time under, read when Nimbus's own
 * key is absent (a destination filled by another tool). rclone writes `mtime` on S3, Swift and
 * Azure Blob; Google's tools (and rclone on GCS) write `goog-reserved-file-mtime` (seconds).
 */
export const TOOL_MTIME_KEYS = ['mtime', 'goog-reserved-file-mtime'] as const;

/**
 * How a provider's other tools write the `mtime` key: rclone uses seconds since the epoch with
 * a fractional part ("1700000000.123000000") on S3 and Swift, RFC 3339 on Azure Blob.
 */
export type ToolMtimeStyle = 'epoch-seconds' | 'rfc3339';

/** A modification time (ms) as other tools write it under `mtime`. */
export function formatToolMtime(mtimeMs: number, style: ToolMtimeStyle): string {
  const ms = Math.round(mtimeMs);
  if (style === 'rfc3339') return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
  const seconds = Math.floor(ms / 1000);
  return `${seconds}.${String(ms - seconds * 1000).padStart(3, '0')}000000`;
}

/**
 * Metadata to store for an object: Nimbus's keys plus the `mtime` key other tools read (so a
 * backup made by Nimbus shows the right times in rclone and the like). Plugins call this on
 * what the kernel gives them to write, in their service's style.
 */
export function withToolMtime(metadata: Readonly<Record<string, string>> | undefined, style: ToolMtimeStyle): Record<string, string> | undefined {
  const mtime = intOrUndefined(metadata?.[META_KEYS.mtime]);
  if (!metadata || mtime === undefined) return metadata ? { ...metadata } : undefined;
  return { ...metadata, [TOOL_MTIME_KEYS[0]]: formatToolMtime(mtime, style) };
}

/**
 * The modification time (ms) another tool left in an object's metadata, in either style
 * (decimal seconds, or an RFC 3339 date); undefined when there is none or it cannot be read.
 */
export function toolMtimeOf(metadata: Readonly<Record<string, string>> | undefined): number | undefined {
  for (const key of TOOL_MTIME_KEYS) {
    const value = metadata?.[key]?.trim();
    if (!value) continue;
    if (/^\d+(\.\d+)?$/.test(value)) {
      const [whole, fraction = ''] = value.split('.');
      // Whole milliseconds, rounded as the local scan rounds mtimeMs; integer arithmetic keeps the nanoseconds exact.
      return Number(whole) * 1000 + Math.round(Number(fraction.padEnd(9, '0').slice(0, 9)) / 1e6);
    }
    const parsed = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(value) ? Date.parse(value) : NaN;
    if (Number.isFinite(parsed)) return parsed;
  }
  return undefined;
}

function intOrUndefined(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}
