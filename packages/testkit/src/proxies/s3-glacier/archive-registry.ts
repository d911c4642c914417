import { objectId } from './s3-address.js';

/** Where an archived object's restore stands. */
export type RestorePhase =
  | { readonly phase: 'none' }
  | { readonly phase: 'ongoing'; readonly days: number | undefined; readonly tier: string }
  | { readonly phase: 'restored'; readonly expiresAt: number };

/** The S3 Intelligent-Tiering tiers whose objects must be restored before they can be read. */
export type IntelligentTieringArchiveTier = 'ARCHIVE_ACCESS' | 'DEEP_ARCHIVE_ACCESS';

/** Storage classes whose objects are archived as soon as they are stored. */
export const ARCHIVE_CLASSES: readonly string[] = ['GLACIER', 'DEEP_ARCHIVE'];

/** Classes Amazon S3 accepts in x-amz-storage-class (the server behind takes STANDARD only). */
export const KNOWN_STORAGE_CLASSES: readonly string[] = [
  'STANDARD', 'REDUCED_REDUNDANCY', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER', 'DEEP_ARCHIVE', 'GLACIER_IR',
];

/** An object the proxy presents in a class other than STANDARD. */
export interface ArchivedObject {
  readonly storageClass: string;
  /** Intelligent-Tiering only: the archive tier it sits in (undefined: an online access tier). */
  accessTier?: IntelligentTieringArchiveTier | undefined;
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
  /** The error code, when the proxy refused. */
  readonly code?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * When a restored copy asked for `days` expires: `days` after now, rounded up to midnight
 * UTC. The documents show expiries only at midnight ("x-amz-restore: ongoing-request=
 * \"false\", expiry-date=\"Fri, 21 Dec 2012 00:00:00 GMT\"", HeadObject; "RestoreExpiryDate=
 * \"2012-12-21T00:00:00.000Z\"", RestoreStatus), and S3 rounds its day counts "up ... to the
 * next day at midnight UTC" (lifecycle rules). An extension counts from now: "Amazon S3
 * updates the restoration period relative to the current time" (RestoreObject).
 */
export function restoreExpiry(from: number, days: number): number {
  return Math.ceil((from + days * DAY_MS) / DAY_MS) * DAY_MS;
}

/** The objects the proxy presents as archived (or in another class), and their restore state. Time comes from `now`. */
export class ArchiveRegistry {
  private readonly objects = new Map<string, ArchivedObject>();
  readonly requests: RestoreRequestSeen[] = [];

  constructor(private readonly now: () => number) {}

  archive(bucket: string, key: string, storageClass: string): void {
    this.objects.set(objectId(bucket, key), { storageClass, restore: { phase: 'none' } });
  }

  /** What a successful write in `storageClass` leaves at the key (STANDARD: nothing to remember). */
  stored(bucket: string, key: string, storageClass: string | undefined): void {
    if (!storageClass || storageClass === 'STANDARD') this.forget(bucket, key);
    else this.archive(bucket, key, storageClass);
  }

  /** Move an Intelligent-Tiering object into one of its archive tiers, as the service does after months without access. */
  tierDown(bucket: string, key: string, tier: IntelligentTieringArchiveTier): void {
    this.objects.set(objectId(bucket, key), { storageClass: 'INTELLIGENT_TIERING', accessTier: tier, restore: { phase: 'none' } });
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

  /** In an archive class or tier: unreadable until restored. */
  isArchived(object: ArchivedObject): boolean {
    return ARCHIVE_CLASSES.includes(object.storageClass) || object.accessTier !== undefined;
  }

  /** Readable now: online, or a temporary copy exists. */
  isReadable(object: ArchivedObject): boolean {
    return !this.isArchived(object) || object.restore.phase === 'restored';
  }

  /**
   * Finish a requested restore. Glacier classes get a temporary copy until `expiresAt`
   * (default: the documented midnight after the days asked); an Intelligent-Tiering object
   * moves back to its Frequent Access tier: "wait until the object is moved into the
   * Frequent Access tier" (Amazon S3 User Guide, Restoring an archived object).
   */
  completeRestore(bucket: string, key: string, expiresAt?: number): void {
    const object = this.require(bucket, key);
    if (object.accessTier !== undefined) {
      object.accessTier = undefined;
      object.restore = { phase: 'none' };
      return;
    }
    const days = object.restore.phase === 'ongoing' ? (object.restore.days ?? 1) : 1;
    object.restore = { phase: 'restored', expiresAt: expiresAt ?? restoreExpiry(this.now(), days) };
  }

  expireRestore(bucket: string, key: string): void {
    this.require(bucket, key).restore = { phase: 'none' };
  }

  startRestore(object: ArchivedObject, days: number | undefined, tier: string): void {
    object.restore = { phase: 'ongoing', days, tier };
  }

  extendRestore(object: ArchivedObject, days: number): void {
    object.restore = { phase: 'restored', expiresAt: restoreExpiry(this.now(), days) };
  }

  private require(bucket: string, key: string): ArchivedObject {
    const object = this.get(bucket, key);
    if (!object || !this.isArchived(object)) throw new Error(`glacier proxy: ${bucket}/${key} is not archived; call archive() first`);
    return object;
  }
}

/** The `x-amz-restore` header for an object, or undefined when no restore was asked for. */
export function restoreHeaderOf(object: ArchivedObject): string | undefined {
  if (object.restore.phase === 'ongoing') return 'ongoing-request="true"';
  if (object.restore.phase === 'restored') return `ongoing-request="false", expiry-date="${new Date(object.restore.expiresAt).toUTCString()}"`;
  return undefined;
}
