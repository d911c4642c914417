import { SWIFT_LIMITS } from './capabilities.js';
import { httpRequest, readBody } from './swift/http-request.js';

export type SwiftLimits = { maxFileSize: number; maxManifestSegments: number; minSegmentSize: number };

/**
 * The cluster's limits from its public `/info` document (no token needed); Swift's
 * defaults when the cluster hides it.
 */
export async function readSwiftLimits(storageUrl: string): Promise<SwiftLimits> {
  try {
    const response = await httpRequest({ method: 'GET', url: new URL('/info', storageUrl).toString(), signal: AbortSignal.timeout(10_000) });
    const text = (await readBody(response)).toString('utf8');
    if (response.status !== 200) return SWIFT_LIMITS;
    const info = JSON.parse(text);
    const num = (v: unknown, fallback: number) => (typeof v === 'number' && v > 0 ? v : fallback);
    return {
      maxFileSize: num(info?.swift?.max_file_size, SWIFT_LIMITS.maxFileSize),
      maxManifestSegments: num(info?.slo?.max_manifest_segments, SWIFT_LIMITS.maxManifestSegments),
      minSegmentSize: num(info?.slo?.min_segment_size, SWIFT_LIMITS.minSegmentSize),
    };
  } catch {
    return SWIFT_LIMITS;
  }
}
