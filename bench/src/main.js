#!/usr/bin/env node
// npm run bench [-- --quick]: Nimbus against rclone on the same servers. See bench/README.md.
import { existsSync, readFileSync } from 'node:fs';
import { appendFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NAME_PREFIX, createDestination } from './destinations.js';
import { measureHelp } from './help-timing.js';
import { describeMachine, loadNow } from './machine.js';
import { NIMBUS_BIN, createNimbusTool } from './nimbus-tool.js';
import { parseOptions } from './options.js';
import { createRawTool } from './raw-tool.js';
import { ensureDebianTools } from './debian-tools.js';
import { createRcloneTool } from './rclone-tool.js';
import { formatReport } from './report.js';
import { runScenarios } from './scenarios.js';
import { deleteSwiftContainers } from './swift-cleanup.js';
import { evaluateTargets } from './targets.js';

const RESULTS_FILE = fileURLToPath(new URL('../RESULTS.md', import.meta.url));
const began = Date.now();
const log = (line) => {
  const s = Math.round((Date.now() - began) / 1000);
  console.error(`[${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}] ${line}`);
};

/** Whether the bench run `runId` (in `workDir`) is still alive: its pid file names a live process. */
function benchIsRunning(workDir, runId) {
  try {
    const pid = Number(readFileSync(join(workDir, 'runs', runId, 'pid'), 'utf8'));
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  if (!existsSync(NIMBUS_BIN)) throw new Error(`${NIMBUS_BIN} is missing: run \`npm run build\` first (npm run bench does)`);
  const startedAt = new Date();
  const mode = options.quick ? 'quick' : 'full';
  const workDir = options.workDir ?? join(tmpdir(), 'nimbus-bench');
  const runId = startedAt.getTime().toString(36);
  const runDir = join(workDir, 'runs', runId);
  const datasetsDir = join(workDir, 'datasets');
  await mkdir(runDir, { recursive: true });
  await mkdir(datasetsDir, { recursive: true });
  await writeFile(join(runDir, 'pid'), String(process.pid));
  const loadStart = loadNow();
  log(`nimbus bench (${mode}, run ${runId}) in ${workDir}; load ${loadStart}`);

  const versions = { rclone: ensureDebianTools(log) };
  const needsSwift = options.destinations.some((d) => d !== 'local');
  let server;
  if (needsSwift) {
    // Imported only when needed: the testkit pulls in its fakes and servers.
    const { ensureSwiftServer } = await import('@nimbus/testkit');
    server = await ensureSwiftServer();
    // Containers of another bench that may still be running (its pid file names a live process,
    // or it started less than 6 hours ago, maybe in another work folder) are left alone.
    const mayBeRunning = (id) => benchIsRunning(workDir, id) || Date.now() - parseInt(id, 36) < 6 * 3600_000;
    const stale = await deleteSwiftContainers(server, NAME_PREFIX, (name) => mayBeRunning(name.slice(NAME_PREFIX.length).split('-')[0]));
    if (stale) log(`removed ${stale} containers left by an earlier bench run`);
  }

  const nimbus = createNimbusTool({ workDir: runDir, transfers: options.transfers });
  const rclone = createRcloneTool({ workDir: runDir, transfers: options.transfers, server });
  const raw = createRawTool({ server });

  const results = [];
  const problems = [];
  for (const kind of options.destinations) {
    const destination = createDestination(kind, { server, workDir: runDir, runId });
    log(`${destination.label} (load ${loadNow()})`);
    // A destination that breaks down is reported; the figures measured so far are kept.
    await runScenarios({ destination, groups: options.groups, plan: options.plan, datasetsDir, nimbus, rclone, raw, log, onResult: (r) => results.push(r) })
      .catch((error) => problems.push(`${kind}: the run stopped: ${error.message}`));
    if (!options.keep) await destination.cleanup().catch((error) => problems.push(`${kind}: clean-up failed (${error.message}); remove containers named ${NAME_PREFIX}${runId}-* by hand`));
  }
  for (const p of problems) log(p);
  const help = await measureHelp(options.plan.helpRuns);
  const targets = evaluateTargets(results, options.destinations, help);
  const failures = problems.concat(results.flatMap((r) => Object.entries(r.tools).flatMap(([tool, s]) => s.errors.map((e) => `${r.destination} ${r.id} ${tool}: ${e}`))));
  const report = formatReport({
    startedAt, mode, options, machine: describeMachine(), loadStart, loadEnd: loadNow(), versions,
    flags: [nimbus.flags, rclone.flags, raw.flags], results, targets, help, failures,
  });
  console.log(report);
  if (options.writeResults) {
    await appendFile(RESULTS_FILE, `\n${report}`);
    log(`appended to ${RESULTS_FILE}`);
  }
  if (!options.keep) await rm(runDir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(`bench: ${error.message}`);
  process.exit(1);
});
