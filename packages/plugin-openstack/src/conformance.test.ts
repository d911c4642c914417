import { runProviderConformance } from '@nimbus/testkit';
import test from 'ava';
import { swiftTarget } from './testing/swift-target.js';

// The real OpenStack Swift from Debian (auth v1/tempauth), each test below a fresh folder
// of one container. The 12 MiB case goes up as segments (threshold 10 MB).
await runProviderConformance(test, {
  name: 'openstack',
  setup: async () => {
    const { provider, cleanup } = await swiftTarget();
    return { provider, cleanup };
  },
});
