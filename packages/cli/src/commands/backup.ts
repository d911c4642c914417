import { oneOffProfile, type CompareMethod } from '@nimbus/kernel';
import { createRegistry } from '../plugin-registry.js';
import { executeRun, type RunFlags } from './execute-run.js';

export interface BackupFlags extends RunFlags {
  include: string[];
  exclude: string[];
  compare?: CompareMethod;
  transfers?: number;
  keepDeleted?: boolean;
  verifyRemote?: boolean;
}

/** `nimbus backup <source> <destination>`: a one-off profile built from the command line. */
export async function backupCommand(source: string, destination: string, flags: BackupFlags): Promise<number> {
  const registry = createRegistry();
  const loaded = await oneOffProfile(source, destination, registry, {
    filters: { include: flags.include, exclude: flags.exclude },
    ...(flags.compare ? { compare: flags.compare } : {}),
    ...(flags.transfers ? { transfers: flags.transfers } : {}),
    ...(flags.keepDeleted ? { deleteRemoved: false } : {}),
    ...(flags.verifyRemote ? { verifyRemote: true } : {}),
  });
  return executeRun(loaded, registry, flags);
}
