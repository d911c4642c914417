import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { parentOf, type RemoteEntry } from '@nimbus/kernel/plugin';
import { entryFromListed } from './entries.js';
import type { ObjectKeys } from './object-keys.js';
import type { S3ErrorMapper } from './s3-errors.js';

export interface ListingContext {
  readonly client: S3Client;
  readonly bucket: string;
  readonly keys: ObjectKeys;
  readonly errors: S3ErrorMapper;
  /** Ask for restore status in listings (Amazon only: x-amz-optional-object-attributes). */
  readonly withRestoreStatus: boolean;
}

/** S3 returns at most 1,000 keys per ListObjectsV2 call. */
const MAX_KEYS = 1000;

/**
 * Pages of the objects below `dir`, via ListObjectsV2. One level: files plus folders as
 * CommonPrefixes (a folder exists only while a key lies below it). Recursive: every key,
 * and each virtual folder once, derived from the paths of the files below it.
 */
export async function* listEntries(
  context: ListingContext,
  dir: string,
  options: { recursive: boolean; pageSize?: number },
): AsyncGenerator<RemoteEntry[]> {
  const { client, bucket, keys, errors } = context;
  const prefix = keys.folderPrefix(dir);
  const maxKeys = Math.max(1, Math.min(MAX_KEYS, Math.floor(options.pageSize ?? MAX_KEYS)));
  const reportedFolders = new Set<string>();
  let token: string | undefined;
  do {
    const page = await errors.run(`list "${dir}"`, () =>
      client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          MaxKeys: maxKeys,
          ...(options.recursive ? {} : { Delimiter: '/' }),
          ...(token ? { ContinuationToken: token } : {}),
          ...(context.withRestoreStatus ? { OptionalObjectAttributes: ['RestoreStatus'] } : {}),
        }),
      ),
    );
    const entries: RemoteEntry[] = [];
    for (const common of page.CommonPrefixes ?? []) {
      const path = common.Prefix ? keys.pathOf(common.Prefix.replace(/\/$/, '')) : undefined;
      if (path !== undefined) entries.push({ path, kind: 'folder', size: 0 });
    }
    for (const item of page.Contents ?? []) {
      const path = item.Key !== undefined ? keys.pathOf(item.Key) : undefined;
      if (path === undefined) continue; // folder markers ("dir/") and names Nimbus cannot represent
      entries.push(entryFromListed(path, item));
      if (options.recursive) {
        for (let folder = parentOf(path); folder !== dir && folder !== '' && !reportedFolders.has(folder); folder = parentOf(folder)) {
          reportedFolders.add(folder);
          entries.push({ path: folder, kind: 'folder', size: 0 });
        }
      }
    }
    if (entries.length) yield entries;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}
