import { createCipheriv, createHash } from 'node:crypto';

/**
 * Deterministic, incompressible bytes: the AES-128-CTR keystream for a seed. The same seed
 * gives the same bytes on every machine, so every run uploads exactly the same data.
 */
export function keystream(seed) {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
}

/** `size` deterministic bytes for `seed` (small files). */
export function deterministicBytes(seed, size) {
  return keystream(seed).update(Buffer.alloc(size));
}
