import type { ArchivedObject } from './archive-registry.js';
import { xmlUnescape } from './s3-xml.js';

/**
 * Rewrite a ListObjectsV2 (or ListObjects) answer so archived keys carry their storage
 * class, and, when the client asked for it (x-amz-optional-object-attributes: RestoreStatus),
 * their restore status, as Amazon S3 lists them.
 */
export function rewriteListing(
  xml: string,
  lookup: (key: string) => ArchivedObject | undefined,
  options: { urlEncodedKeys: boolean; withRestoreStatus: boolean },
): string {
  return xml.replace(/<Contents>([\s\S]*?)<\/Contents>/g, (whole, inner: string) => {
    const rawKey = /<Key>([\s\S]*?)<\/Key>/.exec(inner)?.[1];
    if (rawKey === undefined) return whole;
    const unescaped = xmlUnescape(rawKey);
    const object = lookup(options.urlEncodedKeys ? decodeURIComponent(unescaped) : unescaped);
    if (!object) return whole;
    let body = /<StorageClass>/.test(inner)
      ? inner.replace(/<StorageClass>[^<]*<\/StorageClass>/, `<StorageClass>${object.storageClass}</StorageClass>`)
      : `${inner}<StorageClass>${object.storageClass}</StorageClass>`;
    if (options.withRestoreStatus && object.restore.phase !== 'none') {
      const expiry = object.restore.phase === 'restored' ? `<RestoreExpiryDate>${new Date(object.restore.expiresAt).toISOString()}</RestoreExpiryDate>` : '';
      body += `<RestoreStatus><IsRestoreInProgress>${object.restore.phase === 'ongoing'}</IsRestoreInProgress>${expiry}</RestoreStatus>`;
    }
    return `<Contents>${body}</Contents>`;
  });
}
