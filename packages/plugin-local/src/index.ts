import { definePlugin } from '@nimbus/kernel/plugin';
import { LOCAL_CAPABILITIES } from './capabilities.js';
import { localConfigSchema, type LocalConfig } from './config.js';
import { LocalProvider } from './local-provider.js';
import { openRoot, resolveRoot } from './open-root.js';

export { LOCAL_CAPABILITIES } from './capabilities.js';
export { localConfigSchema, type LocalConfig } from './config.js';
export { LocalProvider } from './local-provider.js';
export { PARTIAL_PREFIX } from './partial-files.js';

/** The embedded default provider: a folder acting as the cloud, no account needed. */
export default definePlugin<LocalConfig>({
  id: 'local',
  displayName: 'Local folder',
  description: 'A folder on this machine (or a mounted drive) used as the destination',
  kernelApi: '^1.0.0',
  configSchema: localConfigSchema,
  capabilities: LOCAL_CAPABILITIES,
  parseTarget: (target) => ({ path: target }),
  describeLocation: (config, { baseDir }) => resolveRoot(config.path, baseDir),
  async connect(config, context) {
    const root = await openRoot(resolveRoot(config.path, context.baseDir), { create: !context.dryRun });
    return new LocalProvider(root, config.fsync);
  },
});
