import { B2WireError } from './b2-wire.js';

/** Every capability of a master key (what b2_authorize_account lists for one). */
export const ALL_CAPABILITIES = Object.freeze([
  'listKeys', 'writeKeys', 'deleteKeys', 'listBuckets', 'listAllBucketNames', 'readBuckets', 'writeBuckets', 'deleteBuckets',
  'listFiles', 'readFiles', 'shareFiles', 'writeFiles', 'deleteFiles',
]);

/** What an application key may do: some capabilities, maybe one bucket, maybe a file name prefix. */
export interface KeyRestriction {
  /** The only bucket the key may use (by name). */
  readonly bucketName?: string;
  /** File names the key may touch start with this. */
  readonly namePrefix?: string;
  readonly capabilities?: readonly string[];
}

/** The capability each call needs (B2's API pages: "The token must have the ... capability"). */
const CAPABILITY_OF: Record<string, string> = {
  b2_list_buckets: 'listBuckets',
  b2_create_bucket: 'writeBuckets',
  b2_get_upload_url: 'writeFiles',
  b2_upload_file: 'writeFiles',
  b2_start_large_file: 'writeFiles',
  b2_get_upload_part_url: 'writeFiles',
  b2_upload_part: 'writeFiles',
  b2_finish_large_file: 'writeFiles',
  b2_cancel_large_file: 'writeFiles',
  // "The token must have the writeFiles capability." (b2_list_parts)
  b2_list_parts: 'writeFiles',
  b2_hide_file: 'writeFiles',
  b2_list_file_names: 'listFiles',
  b2_list_file_versions: 'listFiles',
  b2_list_unfinished_large_files: 'listFiles',
  b2_get_file_info: 'readFiles',
  b2_download_file_by_name: 'readFiles',
  b2_download_file_by_id: 'readFiles',
  b2_delete_file_version: 'deleteFiles',
};

const refuse = (message: string) => new B2WireError(401, 'unauthorized', message);

/**
 * The rules of a restricted application key. b2_authorize_account: application keys "can be
 * limited to a specific bucket, a bucket with a specific file prefix, or all buckets with a
 * specific file prefix, have limited read/write access"; every call's page: "After calling
 * b2_authorize_account with an application key that does not have the right permissions,
 * this call will return a 401 Unauthorized." So a missing capability, another bucket, or a
 * file name (or listing prefix) outside namePrefix is 401 unauthorized.
 */
export class KeyRules {
  readonly capabilities: readonly string[];

  constructor(
    private readonly restriction: KeyRestriction,
    private readonly bucketIdOf: (name: string) => string | undefined,
  ) {
    this.capabilities = restriction.capabilities ?? ALL_CAPABILITIES;
  }

  /** The `storageApi` fields of the authorize answer that state the restriction. */
  authorizeFields(): { bucketId: string | null; bucketName: string | null; namePrefix: string | null; capabilities: string[] } {
    const name = this.restriction.bucketName;
    return { bucketId: name ? (this.bucketIdOf(name) ?? null) : null, bucketName: name ?? null, namePrefix: this.restriction.namePrefix ?? null, capabilities: [...this.capabilities] };
  }

  capability(call: string): void {
    const needed = CAPABILITY_OF[call];
    if (needed && !this.capabilities.includes(needed)) throw refuse(`application key does not have the ${needed} capability needed by ${call}`);
  }

  bucket(bucketId: string): void {
    const allowed = this.restriction.bucketName;
    if (allowed !== undefined && this.bucketIdOf(allowed) !== bucketId) throw refuse(`application key is restricted to bucket ${allowed}`);
  }

  /**
   * b2_list_buckets: "When using an authorization token that is restricted to a bucket, you
   * must include the bucketId or bucketName of that bucket in the request, or the request
   * will be denied."
   */
  bucketListing(filter: { bucketId?: unknown; bucketName?: unknown }): void {
    const allowed = this.restriction.bucketName;
    if (allowed === undefined) return;
    const named = typeof filter.bucketName === 'string' && filter.bucketName.toLowerCase() === allowed.toLowerCase();
    const byId = typeof filter.bucketId === 'string' && filter.bucketId === this.bucketIdOf(allowed);
    if (!named && !byId) throw refuse(`application key is restricted to bucket ${allowed}: name it in b2_list_buckets`);
  }

  fileName(name: string): void {
    const prefix = this.restriction.namePrefix;
    if (prefix && !name.startsWith(prefix)) throw refuse(`application key is restricted to file names starting with ${prefix}`);
  }

  /** A listing must stay inside the prefix: its own prefix has to start with the key's. */
  listingPrefix(prefix: string | undefined): void {
    const allowed = this.restriction.namePrefix;
    if (allowed && !(prefix ?? '').startsWith(allowed)) throw refuse(`application key is restricted to file names starting with ${allowed}: list with that prefix`);
  }
}
