import { formatReport, formatSyncReport, runProfile, type LoadedProfile, type PluginRegistry, type ProfileReport } from '@nimbus/kernel';
import { promptPassword } from '../output/password-prompt.js';
import { runOutput, type OutputFlags } from '../output/run-output.js';

export interface RunFlags extends OutputFlags {
  dryRun?: boolean;
  forceDeletes?: boolean;
}

function format(report: ProfileReport): string {
  return report.mode === 'sync' ? formatSyncReport(report) : formatReport(report);
}

/** Run a loaded profile with the CLI's output conventions; resolves to the exit code. */
export async function executeRun(loaded: LoadedProfile, registry: PluginRegistry, flags: RunFlags): Promise<number> {
  const out = runOutput(flags);
  try {
    const report = await runProfile({
      loaded,
      registry,
      dryRun: Boolean(flags.dryRun),
      forceDeletes: Boolean(flags.forceDeletes),
      logger: out.logger,
      promptPassword,
      env: out.env,
      ...(out.onProgress ? { onProgress: out.onProgress } : {}),
    });
    out.stop();
    out.print(report, format);
    return report.exitCode;
  } finally {
    out.stop();
  }
}
