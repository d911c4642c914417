/**
 * Side-effect entry for test runners: `"ava": { "require": ["@nimbus/testkit/network-guard"] }`.
 * Setting NIMBUS_TEST_ALLOW_NETWORK=1 leaves the network open, for deliberate live tests
 * of a cloud plugin against a real account.
 */
import { installNetworkGuard } from './network-guard.js';

if (process.env.NIMBUS_TEST_ALLOW_NETWORK !== '1') installNetworkGuard();
