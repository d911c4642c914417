import { MINIMAL_CAPABILITIES, type Capabilities } from '@nimbus/kernel/plugin';

/**
 * A local folder can do nearly everything natively. What it lacks: portable custom
 * metadata (extended attributes are not portable and Node has no API for them; the kernel
 * keeps file facts in its cloud database instead), free hashes (computing one means
 * reading the whole file) and versions.
 */
export const LOCAL_CAPABILITIES: Capabilities = Object.freeze({
  ...MINIMAL_CAPABILITIES,
  metadata: false,
  mtime: Object.freeze({ support: 'any-time', precisionMs: 1 }),
  hashes: Object.freeze([]),
  folders: 'real',
  versioning: 'none',
  serverSideCopy: true,
  serverSideMove: true,
  immutable: false,
  maxObjectSize: null,
  chunkedUpload: null,
  // True on Linux; a case-insensitive volume (macOS, Windows) would need a connect-time probe.
  caseSensitive: true,
}) as Capabilities;
