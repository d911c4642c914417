/**
 * `@nimbus/kernel/plugin`: everything a storage plugin needs, and nothing it must not reach
 * (engines, the cloud database, the run, DI tokens). A plugin imports only from here; the
 * kernel's test suite checks that the official plugins do.
 */
export * from './api-version.js';
export * from './errors/nimbus-error.js';
export * from './errors/retry-after.js';
export * from './capabilities/capabilities.js';
export * from './provider/remote-entry.js';
export * from './provider/storage-provider.js';
export * from './provider/operations.js';
export * from './provider/paths.js';
export * from './provider/body-parts.js';
export * from './provider/metadata-keys.js';
export * from './log/logger.js';
export * from './plugins/plugin-manifest.js';
export type { RequestPacer } from './pacer/pacer.js';
export { resolveUserPath } from './config/user-path.js';
export { z } from 'zod';
export * from './upload/index.js';
export * from './accounts/oauth-declaration.js';
export { withAccessToken, type TokenSource } from './accounts/token-source.js';
