import { MemoryLogger, PluginRegistry, restoreProfile, runBackup, validateProfile, type RestoreReport, type RunReport } from '@nimbus/kernel';
import { makeTempDir } from '@nimbus/testkit';
import type { ExecutionContext } from 'ava';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import plugin from '../index.js';

/** Backups and restores of one source folder through the kernel, with the azure plugin registered. */
export interface KernelRuns {
  readonly source: string;
  readonly logger: MemoryLogger;
  backup(): Promise<RunReport>;
  restore(target: string): Promise<RestoreReport>;
  /** Delete the profile's cloud database, so the next run must rebuild it from a listing. */
  forgetDatabase(): Promise<void>;
}

export async function kernelRuns(t: ExecutionContext, destination: Record<string, unknown>): Promise<KernelRuns> {
  const dir = await makeTempDir('nimbus-azure-runs-');
  t.teardown(dir.cleanup);
  const registry = new PluginRegistry();
  registry.register(plugin);
  const logger = new MemoryLogger();
  const source = join(dir.path, 'source');
  const env = { NIMBUS_DATA_DIR: join(dir.path, 'data') };
  const loaded = () => validateProfile({ name: 'azure-test', source, destination: { provider: 'azure', ...destination } }, 'test profile', dir.path, 'test');
  const retry = { retries: 2, minDelayMs: 1, maxDelayMs: 5 };
  return {
    source,
    logger,
    backup: () => runBackup({ loaded: loaded(), registry, logger, env, retry }),
    restore: (target) => restoreProfile({ loaded: loaded(), registry, target, logger, env, retry }),
    forgetDatabase: () => rm(env.NIMBUS_DATA_DIR, { recursive: true, force: true }),
  };
}
