import { formatRestoreReport, loadProfileFile, restoreProfile, UserError } from '@nimbus/kernel';
import { resolve } from 'node:path';
import { promptPassword } from '../output/password-prompt.js';
import { runOutput } from '../output/run-output.js';
import { createRegistry } from '../plugin-registry.js';
import type { RunFlags } from './execute-run.js';

export interface RestoreFlags extends RunFlags {
  path: string[];
  force?: boolean;
  at?: string;
}

function parseTime(text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new UserError(`--at "${text}" is not a date and time: write it like 2026-11-20T18:00 or 2026-11-20`);
  return ms;
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
      ...(flags.at !== undefined ? { at: parseTime(flags.at) } : {}),
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
