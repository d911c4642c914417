// The run as Markdown: printed at the end and appended to bench/RESULTS.md.

const fixed = (x, digits) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
const bytesText = (b) => (!Number.isFinite(b) ? 'n/a' : b >= 1024 ** 2 ? `${(b / 1024 ** 2).toFixed(1)} MiB` : `${(b / 1024).toFixed(1)} KiB`);
const DEST_LABELS = { s3: 'Swift S3 API', swift: 'Swift native API', local: 'local folder' };

function scenarioRows(result) {
  const { nimbus, rclone } = result.tools;
  const rows = [];
  for (const [name, s] of Object.entries(result.tools)) {
    const ratios = name === 'nimbus' ? `${fixed(nimbus.wallS / rclone.wallS, 2)} · ${fixed(nimbus.cpuS / rclone.cpuS, 2)} · ${fixed(nimbus.rssMiB / rclone.rssMiB, 2)}` : '';
    const failed = s.failedRounds ? ` (${s.failedRounds} failed)` : '';
    rows.push(`| ${result.id} | ${name}${failed} | ${s.rounds} | ${fixed(s.wallS, 2)} | ${fixed(s.cpuS, 2)} | ${fixed(s.rssMiB, 0)} | ${fixed(s.objects, 0)} | ${bytesText(s.bytes)} | ${ratios} |`);
  }
  return rows;
}

export function formatReport({ startedAt, mode, options, machine, loadStart, loadEnd, versions, flags, results, targets, help, failures }) {
  const lines = [];
  lines.push(`## ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC — ${mode} run (${options.plan.rounds} round${options.plan.rounds === 1 ? "" : "s"}, transfers ${options.transfers})`);
  lines.push('');
  lines.push(`Machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB.toFixed(1)} GiB memory; Node ${machine.node}; ${versions.rclone}; Swift ${machine.swift}.`);
  lines.push(`Load average (1/5/15 min) at start ${loadStart}, at end ${loadEnd}: other engineers' test suites share these ${machine.cores} cores, so wall times are noisy; CPU times are the steadier figure.`);
  lines.push('');
  lines.push('Commands:');
  for (const f of flags) lines.push(`- ${f}`);
  lines.push('');
  for (const dest of options.destinations) {
    const own = results.filter((r) => r.destination === dest);
    if (!own.length) continue;
    lines.push(`### ${DEST_LABELS[dest]}`);
    lines.push('');
    lines.push('Medians over the rounds. Ratios are Nimbus / rclone (wall · CPU · RSS).');
    lines.push('');
    lines.push('| scenario | tool | rounds | wall (s) | CPU user+sys (s) | peak RSS (MiB) | objects | bytes | Nimbus/rclone |');
    lines.push('| --- | --- | --: | --: | --: | --: | --: | --: | --- |');
    for (const r of own) lines.push(...scenarioRows(r));
    lines.push('');
    for (const r of own) lines.push(`- ${r.id}: ${r.title}`);
    lines.push('');
  }
  if (help) lines.push(`\`nimbus --help\`: ${fixed(help.wallMs, 0)} ms wall, ${fixed(help.cpuMs, 0)} ms CPU (median of ${help.runs}; bare \`node -e 0\` ${fixed(help.baselineWallMs, 0)} ms wall, ${fixed(help.baselineCpuMs, 0)} ms CPU).`, '');
  lines.push('### Targets');
  lines.push('');
  if (mode === 'quick') lines.push('Quick run: small datasets, one round; the statuses are indicative only.', '');
  for (const t of targets) lines.push(`- **${t.met === undefined ? 'n/a' : t.met ? 'met' : 'NOT MET'}** — ${t.name} [${t.destination}]: ${t.detail}`);
  if (failures.length) {
    lines.push('', 'Failed runs:');
    for (const f of failures) lines.push(`- ${f}`);
  }
  lines.push('');
  return lines.join('\n');
}
