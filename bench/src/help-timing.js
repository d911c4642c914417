// `nimbus --help` start-up time (plugins and SDKs must load lazily), beside a bare Node
// start on the same machine at the same moment, which is the floor.
import { measure } from './measure.js';
import { NIMBUS_BIN } from './nimbus-tool.js';
import { median } from './stats.js';

async function timeRuns(args, runs) {
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(await measure(process.execPath, args));
  return { wallMs: median(samples.map((s) => s.wallS)) * 1000, cpuMs: median(samples.map((s) => s.cpuS)) * 1000, ok: samples.every((s) => s.exitCode === 0) };
}

export async function measureHelp(runs) {
  const baseline = await timeRuns(['-e', '0'], runs);
  const help = await timeRuns([NIMBUS_BIN, '--help'], runs);
  return { ...help, baselineWallMs: baseline.wallMs, baselineCpuMs: baseline.cpuMs, runs };
}
