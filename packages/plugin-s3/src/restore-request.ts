import { RestoreObjectCommand, type RestoreRequest as SdkRestoreRequest, type S3Client, type Tier } from '@aws-sdk/client-s3';
import type { Logger } from '@nimbus/kernel/plugin';
import { errorCodeOf } from './s3-errors.js';

/** Where the object to restore sits, as HEAD told. */
export interface ArchivedPlace {
  readonly storageClass: string;
  /** x-amz-archive-status of an INTELLIGENT_TIERING object: ARCHIVE_ACCESS or DEEP_ARCHIVE_ACCESS. */
  readonly archiveStatus?: string;
}

export interface RestoreAsk {
  readonly days: number;
  readonly tier: string;
}

/**
 * The RestoreObject body Amazon accepts for this object:
 * - Glacier classes need Days ("If you are restoring an archive, this element is required");
 *   Intelligent-Tiering archive tiers refuse it ("Objects in S3 Intelligent-Tiering archive
 *   access tiers are not subject to restore expiry, so specifying ExpirationInDays results in
 *   restore request failure") and simply move the object back to Frequent Access.
 * - "Expedited retrievals and provisioned capacity are not available for the DEEP_ARCHIVE
 *   storage class" (nor its Intelligent-Tiering counterpart): Standard is asked instead.
 */
export function restoreBodyFor(place: ArchivedPlace, ask: RestoreAsk): { body: SdkRestoreRequest; tier: string } {
  const deep = place.storageClass === 'DEEP_ARCHIVE' || place.archiveStatus === 'DEEP_ARCHIVE_ACCESS';
  const tier = ask.tier === 'Expedited' && deep ? 'Standard' : ask.tier;
  const tiered = place.storageClass === 'INTELLIGENT_TIERING';
  return { body: { ...(tiered ? {} : { Days: ask.days }), GlacierJobParameters: { Tier: tier as Tier } }, tier };
}

/**
 * Ask for a restore; resolves to the HTTP status (202 started, 200 a copy was there already).
 * An Expedited request may meet "GlacierExpeditedRetrievalNotAvailable" (503: "expedited
 * retrievals are currently not available ... insufficient capacity"); retrying Expedited
 * would meet it again, so the request is made once more at Standard, and the log says so.
 */
export async function sendRestore(
  context: { client: S3Client; bucket: string; logger: Logger | undefined },
  key: string,
  path: string,
  place: ArchivedPlace,
  ask: RestoreAsk,
): Promise<number> {
  const { body, tier } = restoreBodyFor(place, ask);
  if (tier !== ask.tier) context.logger?.warn(`${path}: Expedited retrieval is not offered for ${describePlace(place)}; a Standard restore was requested instead`);
  const send = (request: SdkRestoreRequest) => context.client.send(new RestoreObjectCommand({ Bucket: context.bucket, Key: key, RestoreRequest: request }));
  try {
    return (await send(body)).$metadata.httpStatusCode ?? 202;
  } catch (error) {
    if (errorCodeOf(error).code !== 'GlacierExpeditedRetrievalNotAvailable') throw error;
    context.logger?.warn(`${path}: Expedited retrieval is unavailable right now (no capacity); a Standard restore was requested instead`);
    return (await send({ ...body, GlacierJobParameters: { Tier: 'Standard' } })).$metadata.httpStatusCode ?? 202;
  }
}

function describePlace(place: ArchivedPlace): string {
  return place.archiveStatus ? `${place.storageClass} (${place.archiveStatus})` : place.storageClass;
}
