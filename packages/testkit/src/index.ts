export * from './conformance/index.js';
export * from './masking/index.js';
export * from './fixtures/index.js';
export * from './fakes/index.js';
export { installNetworkGuard, isNetworkGuardInstalled } from './network-guard/network-guard.js';
export { NetworkGuardError } from './network-guard/network-guard-error.js';
export { isLoopbackHost } from './network-guard/loopback.js';
export * from './servers/swift/index.js';
