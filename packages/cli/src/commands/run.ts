import { loadProfileFile } from '@nimbus/kernel';
import { createRegistry } from '../plugin-registry.js';
import { executeRun, type RunFlags } from './execute-run.js';

/** `nimbus run <profile>`; `--verify-remote` overrides the profile's verifyRemote for this run. */
export async function runCommand(profileFile: string, flags: RunFlags & { verifyRemote?: boolean }): Promise<number> {
  const loaded = loadProfileFile(profileFile);
  const run = flags.verifyRemote ? { ...loaded, profile: { ...loaded.profile, verifyRemote: true } } : loaded;
  return executeRun(run, createRegistry(), flags);
}
