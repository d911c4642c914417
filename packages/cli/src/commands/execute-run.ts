import { formatReport, runProfile, type LoadedProfile, type PluginRegistry } from '@nimbus/kernel';
import { consoleLogger } from '../output/console-logger.js';
import { ProgressBar } from '../output/progress-bar.js';

export interface RunFlags {
  dryRun?: boolean;
  json?: boolean;
  quiet?: boolean;
  dataDir?: string;
}

/** Run a loaded profile with the CLI's output conventions; resolves to the exit code. */
export async function executeRun(loaded: LoadedProfile, registry: PluginRegistry, flags: RunFlags): Promise<number> {
  const quiet = Boolean(flags.quiet || flags.json);
  const bar = !quiet && process.stderr.isTTY ? new ProgressBar() : undefined;
  const logger = consoleLogger({ quiet, verbose: Boolean(process.env.NIMBUS_DEBUG), beforeWrite: () => bar?.stop() });
  const env = flags.dataDir ? { ...process.env, NIMBUS_DATA_DIR: flags.dataDir } : process.env;
  let report;
  try {
    report = await runProfile({
      loaded,
      registry,
      dryRun: Boolean(flags.dryRun),
      logger,
      env,
      ...(bar ? { onProgress: bar.listener } : {}),
    });
  } finally {
    bar?.stop();
  }
  if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else if (!flags.quiet) process.stdout.write(`${formatReport(report)}\n`);
  return report.exitCode;
}
