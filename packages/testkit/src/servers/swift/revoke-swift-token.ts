import { memcachedCommand, swiftMemcacheKey } from './memcached.js';
import { MEMCACHED_PORT, SWIFT_HOST } from './swift-config.js';

/**
 * Makes a tempauth token of the Swift test server invalid at once, as an expiry would:
 * tempauth keeps tokens only in memcached, under `AUTH_/token/<token>`. Later requests with
 * it answer 401; asking tempauth for a token again yields a new one.
 * Resolves true when the token was known.
 */
export async function revokeSwiftToken(token: string): Promise<boolean> {
  const reply = await memcachedCommand(SWIFT_HOST, MEMCACHED_PORT, `delete ${swiftMemcacheKey(`AUTH_/token/${token}`)}`);
  return reply === 'DELETED';
}
