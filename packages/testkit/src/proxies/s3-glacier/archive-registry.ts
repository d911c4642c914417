import { objectId } from './s3-address.js';

/** Where an archived object's restore stands. */
export type RestorePhase =
  | { readonly phase: 'none' }
  | { readonly phase: 'ongoing'; readonly days: number; readonly tier: string }
  | { readonly phase: 'restored'; readonly expiresAt: number };

export interface ArchivedObject {
  readonly storageClass: 'GLACIER' | 'DEEP_ARCHIVE';
  restore: RestorePhase;
}

/** A RestoreObject request the proxy answered. */
export interface RestoreRequestSeen {
  readonly bucket: string;
  readonly key: string;
  readonly days: number | undefined;
  readonly tier: string | undefined;
  /** HTTP status the proxy answered with. */
  readonly status: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The objects the proxy presents as archived, and their restore state. Time comes from `now`. */
export class ArchiveRegistry {
  private readonly objects = new Map<string, ArchivedObject>();
  readonly requests: RestoreRequestSeen[] = [];

  constructor(private readonly now: () => number) {}

  archive(bucket: string, key: string, storageClass: ArchivedObject['storageClass']): void {
    this.objects.set(objectId(bucket, key), { storageClass, restore: { phase: 'none' } });
  }

  forget(bucket: string, key: string): void {
    this.objects.delete(objectId(bucket, key));
  }

  /** The object's state, with an expired temporary copy already turned back into 'none'. */
  get(bucket: string, key: string): ArchivedObject | undefined {
    const object = this.objects.get(objectId(bucket, key));
    if (object?.restore.phase === 'restored' && object.restore.expiresAt <= this.now()) object.restore = { phase: 'none' };
    return object;
  }

  /** Readable now: a temporary copy exists. */
  isReadable(object: ArchivedObject): boolean {
    return object.restore.phase === 'restored';
  }

  completeRestore(bucket: string, key: string, expiresAt?: number): void {
    const object = this.require(bucket, key);
    const days = object.restore.phase === 'ongoing' ? object.restore.days : 1;
    object.restore = { phase: 'restored', expiresAt: expiresAt ?? this.now() + days * DAY_MS };
  }

  expireRestore(bucket: string, key: string): void {
    this.require(bucket, key).restore = { phase: 'none' };
  }

  startRestore(object: ArchivedObject, days: number, tier: string): void {
    object.restore = { phase: 'ongoing', days, tier };
  }

  extendRestore(object: ArchivedObject, days: number): void {
    object.restore = { phase: 'restored', expiresAt: this.now() + days * DAY_MS };
  }

  private require(bucket: string, key: string): ArchivedObject {
    const object = this.get(bucket, key);
    if (!object) throw new Error(`glacier proxy: ${bucket}/${key} is not archived; call archive() first`);
    return object;
  }
}

/** The `x-amz-restore` header for an object, or undefined when no restore was asked for. */
export function restoreHeaderOf(object: ArchivedObject): string | undefined {
  if (object.restore.phase === 'ongoing') return 'ongoing-request="true"';
  if (object.restore.phase === 'restored') return `ongoing-request="false", expiry-date="${new Date(object.restore.expiresAt).toUTCString()}"`;
  return undefined;
}
