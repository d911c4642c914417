import { ALLOWED_TARGETS } from './loopback.js';

/**
 * Raised instead of a network access. Its code is not a network errno, so retry logic
 * classifies it as permanent and the test fails at once instead of backing off.
 */
export class NetworkGuardError extends Error {
  override readonly name = 'NetworkGuardError';
  readonly code = 'ERR_NETWORK_GUARD';
  /** `what` completes "test tried to …", e.g. "reach example.com:443". */
  constructor(what: string) {
    super(`network guard: test tried to ${what}; tests may only reach ${ALLOWED_TARGETS}`);
  }
}
