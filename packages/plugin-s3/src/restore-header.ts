/** What S3's `x-amz-restore` header (HeadObject's `Restore`) says about a temporary copy. */
export type RestoreHeaderState = { readonly ongoing: true } | { readonly ongoing: false; readonly expiresAt?: number };

/**
 * Parse `ongoing-request="true"` or `ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"`.
 * Undefined when the header is absent or says neither.
 */
export function parseRestoreHeader(header: string | undefined): RestoreHeaderState | undefined {
  if (!header) return undefined;
  const ongoing = /ongoing-request\s*=\s*"(true|false)"/i.exec(header)?.[1]?.toLowerCase();
  if (ongoing === 'true') return { ongoing: true };
  if (ongoing !== 'false') return undefined;
  const expiry = /expiry-date\s*=\s*"([^"]+)"/i.exec(header)?.[1];
  const expiresAt = expiry === undefined ? NaN : Date.parse(expiry);
  return Number.isFinite(expiresAt) ? { ongoing: false, expiresAt } : { ongoing: false };
}
