import type { BodyPart } from '../provider/body-parts.js';
import type { PartReceipt } from './chunked-upload-protocol.js';

/**
 * Whether a part the service already holds is the part read now: same size and same
 * digest. A part without a digest cannot be checked, so it is not trusted (sent again).
 */
export function heldPartMatches(held: PartReceipt, part: Pick<BodyPart, 'data' | 'digest'>): boolean {
  return held.size === part.data.length && held.digest !== undefined && part.digest !== undefined && held.digest === part.digest.toString('hex');
}
