// Several rounds of the same measurement, the tools taking turns at going first (round 1:
// nimbus, rclone; round 2: rclone, nimbus; ...), so neither always meets a warm or a busy
// server. Reports the median of each figure.
import { summarize } from './stats.js';

function rotate(items, by) {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/**
 * @param {object} o
 * @param {number} o.rounds
 * @param {Array<{name:string}>} o.tools
 * @param {(round:number) => Promise<void>} [o.beforeRound]
 * @param {(tool:object, round:number) => Promise<object>} o.runOne one measured run
 */
export async function measureRounds({ rounds, tools, beforeRound, runOne, log }) {
  const samples = Object.fromEntries(tools.map((t) => [t.name, []]));
  for (let round = 1; round <= rounds; round++) {
    if (beforeRound) await beforeRound(round);
    for (const tool of rotate(tools, round - 1)) {
      const sample = await runOne(tool, round);
      samples[tool.name].push(sample);
      const status = sample.ok ? '' : `  FAILED ${sample.error}`;
      log(`    round ${round} ${tool.name.padEnd(6)} ${sample.wallS.toFixed(2)} s wall, ${sample.cpuS.toFixed(2)} s CPU, ${sample.rssMiB.toFixed(0)} MiB, ${sample.objects} objects${status}`);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([name, list]) => [name, summarize(list)]));
}
