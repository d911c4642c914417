/** Which blob (or container) a path-style Blob service request addresses. */
export interface BlobAddress {
  readonly account: string;
  readonly container: string;
  /** Decoded blob name; '' for requests on the account or the container. */
  readonly blob: string;
}

/** `/account/container/blob/name` → its parts (decoded). Undefined for anything else. */
export function blobAddressOf(pathname: string): BlobAddress | undefined {
  const [, account, container, ...rest] = pathname.split('/');
  if (!account || !container) return undefined;
  try {
    return { account, container: decodeURIComponent(container), blob: decodeURIComponent(rest.join('/')) };
  } catch {
    return undefined;
  }
}

export function blobKey(container: string, blob: string): string {
  return `${container}/${blob}`;
}
