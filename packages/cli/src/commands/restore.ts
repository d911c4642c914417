import { formatRestoreReport, isOneOffDestination, loadProfileFile, oneOffRestoreProfile, restoreProfile, UserError } from '@nimbus/kernel';
import { existsSync } from 'node:fs';
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

/** `nimbus restore <profile | provider:target> <target-folder>`. */
export async function restoreCommand(from: string, target: string, flags: RestoreFlags): Promise<number> {
  const registry = createRegistry();
  // What a one-off `nimbus backup <source> <provider>:<target>` wrote comes back without a profile file.
  const profileFile = existsSync(from) || /\.(ya?ml|json)$/i.test(from);
  const oneOff = isOneOffDestination(from) && !profileFile;
  const loaded = oneOff ? await oneOffRestoreProfile(from, registry) : loadProfileFile(from);
  const out = runOutput(flags);
  try {
    const report = await restoreProfile({
      loaded,
      registry,
      ...(oneOff ? { freshDatabase: true } : {}),
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
