import test from 'ava';
import { runProviderConformance } from '../conformance/run-provider-conformance.js';
import { maskCapabilities } from '../masking/masked-provider.js';
import { MASKS } from '../masking/masks.js';
import { MemoryProvider } from './memory-provider.js';

// The in-memory provider exercises the suite's versioning, metadata and hash cases,
// which plugin-local (no metadata, no versions, no free hashes) skips.
const fresh = async () => ({ provider: new MemoryProvider(), cleanup: async () => {} });

await Promise.all([
  runProviderConformance(test, { name: 'memory', setup: fresh }),
  runProviderConformance(test, {
    name: 'memory masked allFallbacks',
    setup: async () => ({ provider: maskCapabilities(new MemoryProvider(), MASKS.allFallbacks), cleanup: async () => {} }),
  }),
]);
