export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((x, y) => x - y);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Medians of each figure over the rounds of one tool in one scenario. */
export function summarize(samples) {
  const pick = (key) => median(samples.map((s) => s[key]));
  return {
    rounds: samples.length,
    failedRounds: samples.filter((s) => !s.ok).length,
    errors: samples.filter((s) => !s.ok).map((s) => s.error),
    wallS: pick('wallS'),
    cpuS: pick('cpuS'),
    rssMiB: pick('rssMiB'),
    maxRssMiB: Math.max(...samples.map((s) => s.rssMiB)),
    objects: pick('objects'),
    bytes: pick('bytes'),
  };
}
