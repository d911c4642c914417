/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so a failure can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** NIMBUS_HEAVY=1 selects the full-size variants (2,000 files, 20+ kill points). */
export const HEAVY = process.env.NIMBUS_HEAVY === '1';
