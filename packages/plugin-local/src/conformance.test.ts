import { MASKS, makeTempDir, maskCapabilities, runProviderConformance, type CapabilityMask } from '@nimbus/testkit';
import test from 'ava';
import { LocalProvider } from './local-provider.js';

/** A provider on a fresh temp folder per test, optionally behind a capability mask. */
const setupWith = (mask?: CapabilityMask) => async () => {
  const dir = await makeTempDir('nimbus-local-conformance-');
  const local = new LocalProvider(dir.path);
  return { provider: mask ? maskCapabilities(local, mask) : local, cleanup: dir.cleanup };
};

// Plain, then under every preset mask so the kernel's fallback paths have a real provider to run on.
await Promise.all([
  runProviderConformance(test, { name: 'local', setup: setupWith() }),
  ...Object.entries(MASKS).map(([name, mask]) =>
    runProviderConformance(test, { name: `local masked ${name}`, setup: setupWith(mask) }),
  ),
]);
