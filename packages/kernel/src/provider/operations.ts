import type { Capabilities, OptionalOperation } from '../capabilities/capabilities.js';
import type { StorageProvider } from './storage-provider.js';

/** The capability each optional operation needs besides being implemented. */
const GATES: Record<OptionalOperation, (c: Capabilities) => boolean> = {
  copy: (c) => c.serverSideCopy,
  move: (c) => c.serverSideMove,
  setMtime: (c) => c.mtime.support === 'any-time',
  setMetadata: (c) => c.metadata && !c.immutable,
  makeFolder: (c) => c.folders === 'real',
  listVersions: (c) => c.versioning !== 'none',
  readVersion: (c) => c.versioning !== 'none',
  deleteVersion: (c) => c.versioning !== 'none',
  requestRestore: (c) => c.archive.restore !== 'none',
  listBuckets: () => true,
  createBucket: () => true,
};

export const OPTIONAL_OPERATIONS = Object.keys(GATES) as OptionalOperation[];

type WithOperation<K extends OptionalOperation> = StorageProvider & Required<Pick<StorageProvider, K>>;

/**
 * Whether the provider can perform an optional operation: it implements it and its
 * capabilities allow it. The only way the kernel decides to use an optional operation.
 */
export function supports<K extends OptionalOperation>(provider: StorageProvider, op: K): provider is WithOperation<K> {
  return typeof provider[op] === 'function' && GATES[op](provider.capabilities);
}
