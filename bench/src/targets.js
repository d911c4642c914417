// The targets, each evaluated per destination and printed as met / not met.
// Benchmarks never fail anything: a missed target is a finding, not an error.

/** Nimbus's peak RSS may grow this much from (a)'s 10,000 files to (c)'s 100,000 and still count as flat. */
export const FLAT_RSS_GROWTH = 1.25;
export const HELP_LIMIT_MS = 300;

const find = (results, destination, id) => results.find((r) => r.destination === destination && r.id === id);
const ratio = (n, d) => n / d;
const fmt = (x, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

function target(name, destination, met, detail) {
  return { name, destination, met: met === undefined ? undefined : Boolean(met), detail };
}

function okBoth(r) {
  return r && r.tools.nimbus.failedRounds === 0 && r.tools.rclone.failedRounds === 0;
}

export function evaluateTargets(results, destinations, help) {
  const targets = [];
  for (const dest of destinations) {
    const a = find(results, dest, 'a-initial');
    if (a) {
      const q = ratio(a.tools.nimbus.wallS, a.tools.rclone.wallS);
      targets.push(target('(a) initial upload: Nimbus wall ≤ 0.8 × rclone', dest, okBoth(a) && q <= 0.8, `${fmt(a.tools.nimbus.wallS)} s vs ${fmt(a.tools.rclone.wallS)} s = ${fmt(q)}×`));
    }
    const c = find(results, dest, 'c-rerun');
    if (c) {
      const q = ratio(c.tools.nimbus.wallS, c.tools.rclone.wallS);
      targets.push(target('(c) unchanged rerun: ≤ 0.5 × rclone and < 10 s', dest, okBoth(c) && q <= 0.5 && c.tools.nimbus.wallS < 10, `${fmt(c.tools.nimbus.wallS)} s vs ${fmt(c.tools.rclone.wallS)} s = ${fmt(q)}×`));
    }
    const d = find(results, dest, 'd-rerun');
    if (d) {
      const q = ratio(d.tools.nimbus.wallS, d.tools.rclone.wallS);
      targets.push(target('(d) rerun with 1% changed: ≤ 0.5 × rclone', dest, okBoth(d) && q <= 0.5, `${fmt(d.tools.nimbus.wallS)} s vs ${fmt(d.tools.rclone.wallS)} s = ${fmt(q)}×`));
    }
    const b = find(results, dest, 'b-upload');
    if (b) {
      const rate = (s) => s.bytes / s.wallS / 1024 ** 2;
      const share = rate(b.tools.nimbus) / rate(b.tools.raw);
      const met = b.tools.nimbus.failedRounds === 0 && b.tools.raw.failedRounds === 0 && share >= 0.9;
      targets.push(target('(b) big file: ≥ 90% of the raw rate', dest, met, `${fmt(rate(b.tools.nimbus), 1)} MiB/s vs raw ${fmt(rate(b.tools.raw), 1)} MiB/s = ${fmt(share * 100, 0)}% (rclone ${fmt(rate(b.tools.rclone), 1)} MiB/s)`));
    }
    const cRuns = ['c-initial', 'c-rerun'].map((id) => find(results, dest, id)).filter(Boolean);
    if (cRuns.length) {
      const peak = (tool) => Math.max(...cRuns.map((r) => r.tools[tool].maxRssMiB));
      const q = ratio(peak('nimbus'), peak('rclone'));
      targets.push(target('(c) peak RSS ≤ 1.5 × rclone', dest, q <= 1.5, `${fmt(peak('nimbus'), 0)} MiB vs ${fmt(peak('rclone'), 0)} MiB = ${fmt(q)}×`));
    }
    const pairs = [['a-initial', 'c-initial'], ['a-rerun', 'c-rerun']]
      .map(([x, y]) => [find(results, dest, x), find(results, dest, y)])
      .filter(([x, y]) => x && y);
    if (pairs.length) {
      const growth = pairs.map(([x, y]) => y.tools.nimbus.maxRssMiB / x.tools.nimbus.maxRssMiB);
      const detail = pairs.map(([x, y], i) => `${x.id} ${fmt(x.tools.nimbus.maxRssMiB, 0)} → ${y.id} ${fmt(y.tools.nimbus.maxRssMiB, 0)} MiB (${fmt(growth[i])}×)`).join('; ');
      targets.push(target(`Nimbus peak RSS flat in the number of files (≤ ${FLAT_RSS_GROWTH}× from (a) to (c))`, dest, growth.every((g) => g <= FLAT_RSS_GROWTH), detail));
    }
  }
  if (help) {
    targets.push(target(`nimbus --help under ${HELP_LIMIT_MS} ms`, 'cli', help.wallMs < HELP_LIMIT_MS, `${fmt(help.wallMs, 0)} ms wall, ${fmt(help.cpuMs, 0)} ms CPU (bare \`node -e 0\`: ${fmt(help.baselineWallMs, 0)} ms wall, ${fmt(help.baselineCpuMs, 0)} ms CPU)`));
  }
  return targets;
}
