/** Bucket and key of a path-style S3 request (`/bucket/some/key?query`), decoded. */
export interface S3Address {
  readonly bucket: string;
  /** '' for bucket-level requests. */
  readonly key: string;
  readonly query: URLSearchParams;
}

export function s3AddressOf(rawUrl: string): S3Address {
  const url = new URL(rawUrl, 'http://proxy.invalid');
  const [bucket = '', ...rest] = url.pathname.replace(/^\//, '').split('/');
  return { bucket: decodeURIComponent(bucket), key: rest.map((s) => decodeURIComponent(s)).join('/'), query: url.searchParams };
}

/** Bucket and key named by an `x-amz-copy-source` header (`bucket/key` or `/bucket/key`, URL-encoded, maybe `?versionId=`). */
export function copySourceOf(header: string): { bucket: string; key: string } {
  const [path = ''] = header.split('?');
  const [bucket = '', ...rest] = path.replace(/^\//, '').split('/');
  return { bucket: decodeURIComponent(bucket), key: rest.map((s) => decodeURIComponent(s)).join('/') };
}

export function objectId(bucket: string, key: string): string {
  return `${bucket}\u0000${key}`;
}
