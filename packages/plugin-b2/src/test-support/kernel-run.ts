import { MemoryLogger, PluginRegistry, runProfile, validateProfile, type RunReport } from '@nimbus/kernel';
import type { B2Fake } from '@nimbus/testkit';
import { join } from 'node:path';
import b2Plugin from '../index.js';
import { fakeSettings } from './b2-fake-account.js';

/** Runs of one profile backing `source` up to a B2 fake through the kernel (runProfile), as the CLI does. */
export function kernelRunner(options: { dir: string; source: string; fake: B2Fake; bucket: string; prefix: string; profile?: Record<string, unknown>; settings?: Record<string, unknown> }) {
  const registry = new PluginRegistry();
  registry.register(b2Plugin);
  const logger = new MemoryLogger();
  return {
    logger,
    async run(): Promise<RunReport> {
      const loaded = validateProfile(
        {
          name: 'b2-test',
          source: options.source,
          destination: { provider: 'b2', ...fakeSettings(options.fake, options.bucket, { prefix: options.prefix, ...options.settings }) },
          transfers: 4,
          ...options.profile,
        },
        'test profile',
        options.dir,
        'b2-test',
      );
      const report = await runProfile({ loaded, registry, logger, env: { NIMBUS_DATA_DIR: join(options.dir, 'data') }, retry: { retries: 2, minDelayMs: 10, maxDelayMs: 100 } });
      if (report.mode !== 'backup') throw new Error(`expected a backup report, got ${report.mode}`);
      return report;
    },
  };
}

export const transferred = (report: RunReport) => report.counts.uploaded + report.counts.updated;
