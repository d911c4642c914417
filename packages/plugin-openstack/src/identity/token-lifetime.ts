/**
 * When a token expires by our clock. The Identity service states `expires` by its own
 * clock, which may be ahead of or behind ours; with `issued_at` (same clock) the token's
 * lifetime is known, and counting it from when the answer arrived needs no shared clock.
 * Without `issued_at`, `expires` is taken as it is. Undefined when no expiry was given.
 */
export function localExpiry(expires: unknown, issuedAt: unknown, receivedAt: number): number | undefined {
  const end = typeof expires === 'string' ? Date.parse(expires) : NaN;
  if (Number.isNaN(end)) return undefined;
  const start = typeof issuedAt === 'string' ? Date.parse(issuedAt) : NaN;
  if (Number.isNaN(start) || start > end) return end;
  return receivedAt + (end - start);
}
