import { MemoryLogger, PluginRegistry, runBackup, validateProfile, type RetryPolicy, type RunReport } from '@nimbus/kernel';
import azure from '@nimbus/plugin-azure';
import b2 from '@nimbus/plugin-b2';
import local from '@nimbus/plugin-local';
import openstack from '@nimbus/plugin-openstack';
import s3 from '@nimbus/plugin-s3';
import { join } from 'node:path';

/** Every plugin this suite covers, registered as the CLI would find them installed. */
export function registryWithPlugins(): PluginRegistry {
  const registry = new PluginRegistry();
  for (const plugin of [local, s3, openstack, azure, b2]) registry.register(plugin);
  return registry;
}

/** Retries fast enough for tests: the same backoff code, shorter waits (Retry-After is capped at maxDelayMs). */
export const FAST_RETRY: RetryPolicy = { retries: 8, minDelayMs: 5, maxDelayMs: 200 };

/** A backup run through the kernel in this process (runBackup), as the CLI does it. */
export function inProcessBackup(options: { dir: string; source: string; destination: Record<string, unknown>; transfers?: number; retry?: RetryPolicy; name?: string }) {
  const registry = registryWithPlugins();
  const logger = new MemoryLogger();
  const dataDir = join(options.dir, 'data');
  return {
    logger,
    dataDir,
    run(): Promise<RunReport> {
      const loaded = validateProfile(
        { name: options.name ?? 'reliability', source: options.source, destination: options.destination, transfers: options.transfers ?? 8 },
        'test profile',
        options.dir,
        'reliability',
      );
      return runBackup({ loaded, registry, logger, env: { NIMBUS_DATA_DIR: dataDir }, retry: options.retry ?? FAST_RETRY });
    },
  };
}
