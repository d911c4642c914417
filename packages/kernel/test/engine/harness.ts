import type { ExecutionContext } from 'ava';
import { join } from 'node:path';
import localPlugin from '@nimbus/plugin-local';
import {
  MemoryLogger,
  PluginRegistry,
  runProfile,
  validateProfile,
  type PluginManifest,
  type ProfileInput,
  type ProgressListener,
  type RunReport,
  type StorageProvider,
  type SyncReport,
} from '@nimbus/kernel';
import { makeTempDir, treeDigest } from '@nimbus/testkit';

export interface RunOptions {
  profile?: Partial<ProfileInput>;
  dryRun?: boolean;
  provider?: string;
  onProgress?: ProgressListener;
  forceDeletes?: boolean;
}

export interface Harness {
  readonly source: string;
  readonly destination: string;
  readonly dataDir: string;
  readonly registry: PluginRegistry;
  readonly logger: MemoryLogger;
  /** Run a backup of `source` to `destination` through `provider` (default: plain local). */
  run(options?: RunOptions): Promise<RunReport>;
  /** The same with `mode: sync`. */
  sync(options?: RunOptions): Promise<SyncReport>;
}

/**
 * A plugin that is plugin-local seen through `wrap` (a capability mask or a fault injector):
 * lets engine tests take the fallback paths of providers that lack a feature.
 */
export function wrappedLocal(id: string, wrap: (p: StorageProvider) => StorageProvider): PluginManifest {
  const probe = wrap({ capabilities: localPlugin.capabilities } as StorageProvider);
  return {
    ...localPlugin,
    id,
    displayName: `local seen as ${id}`,
    capabilities: probe.capabilities,
    connect: async (config, context) => wrap(await localPlugin.connect(config, context)),
  };
}

export async function harness(t: ExecutionContext, extraPlugins: PluginManifest[] = []): Promise<Harness> {
  const dir = await makeTempDir('nimbus-engine-');
  t.teardown(dir.cleanup);
  const registry = new PluginRegistry();
  registry.register(localPlugin);
  for (const m of extraPlugins) registry.register(m);
  const logger = new MemoryLogger();
  const h = {
    source: join(dir.path, 'source'),
    destination: join(dir.path, 'destination'),
    dataDir: join(dir.path, 'data'),
    registry,
    logger,
    run: async (options = {}) => {
      const loaded = validateProfile(
        {
          name: 'test',
          source: h.source,
          destination: { provider: options.provider ?? 'local', path: h.destination },
          ...options.profile,
        },
        'test profile',
        dir.path,
        'test',
      );
      return (await runProfile({
        loaded,
        registry,
        logger,
        dryRun: options.dryRun ?? false,
        env: { NIMBUS_DATA_DIR: h.dataDir },
        retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5 },
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.forceDeletes ? { forceDeletes: true } : {}),
      })) as RunReport;
    },
  } as Harness;
  h.sync = async (options = {}) => (await h.run({ ...options, profile: { mode: 'sync', ...options.profile } })) as unknown as SyncReport;
  return h;
}

export function transferred(report: RunReport): number {
  return report.counts.uploaded + report.counts.updated;
}

/** The backed-up tree at the destination, without the `$SBV$` versions folder. */
export function destinationDigest(h: Harness): Promise<Map<string, string>> {
  return treeDigest(h.destination, { filter: (p) => !p.startsWith('$SBV$/') });
}
