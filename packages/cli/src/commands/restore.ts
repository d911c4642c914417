import { formatRestoreReport, loadProfileFile, restoreProfile } from '@nimbus/kernel';
import { resolve } from 'node:path';
import { promptPassword } from '../output/password-prompt.js';
import { runOutput } from '../output/run-output.js';
import { createRegistry } from '../plugin-registry.js';
import type { RunFlags } from './execute-run.js';

export interface RestoreFlags extends RunFlags {
  path: string[];
  force?: boolean;
}

/** `nimbus restore <profile> <target-folder>`. */
export async function restoreCommand(profileFile: string, target: string, flags: RestoreFlags): Promise<number> {
  const loaded = loadProfileFile(profileFile);
  const out = runOutput(flags);
  try {
    const report = await restoreProfile({
      loaded,
      registry: createRegistry(),
      target: resolve(target),
      paths: flags.path,
      force: Boolean(flags.force),
      dryRun: Boolean(flags.dryRun),
      logger: out.logger,
      promptPassword,
      env: out.env,
      ...(out.onProgress ? { onProgress: out.onProgress } : {}),
    });
    out.stop();
    out.print(report, formatRestoreReport);
    return report.exitCode;
  } finally {
    out.stop();
  }
}
