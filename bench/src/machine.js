// The machine a run happened on, and how busy it was (other work shares these cores).
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';

function debianVersion(pkg) {
  try {
    return execFileSync('dpkg-query', ['-W', '-f', '${Version}', pkg], { encoding: 'utf8' });
  } catch {
    return 'not installed';
  }
}

export function describeMachine() {
  const list = cpus();
  return {
    cores: list.length,
    cpuModel: list[0]?.model ?? 'unknown',
    memoryGiB: totalmem() / 1024 ** 3,
    node: process.version,
    swift: debianVersion('swift'),
  };
}

/** The 1, 5 and 15 minute load averages, e.g. "6.68 7.04 5.86". */
export function loadNow() {
  return loadavg().map((x) => x.toFixed(2)).join(' ');
}
