import { loadProfileFile } from '@nimbus/kernel';
import { createRegistry } from '../plugin-registry.js';
import { executeRun, type RunFlags } from './execute-run.js';

/** `nimbus run <profile>`. */
export async function runCommand(profileFile: string, flags: RunFlags): Promise<number> {
  const loaded = loadProfileFile(profileFile);
  return executeRun(loaded, createRegistry(), flags);
}
