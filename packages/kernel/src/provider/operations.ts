import type { Capabilities, OptionalOperation } from '../capabilities/capabilities.js';
import type { StorageProvider } from './storage-provider.js';

/** What an optional operation needs from the capabilities, and how to say it when they lack it. */
export interface OperationGate {
  readonly allows: (c: Capabilities) => boolean;
  /** Why the operation is off when `allows` says no (skip reasons, masks, messages). */
  readonly without: string;
}

/**
 * The capability each optional operation needs besides being implemented: the one table read
 * by `supports()`, by the conformance suite's skips and by the testkit's capability masks, so
 * the three never disagree.
 */
export const OPERATION_GATES: Readonly<Record<OptionalOperation, OperationGate>> = Object.freeze({
  copy: { allows: (c) => c.serverSideCopy, without: 'no server-side copy' },
  move: { allows: (c) => c.serverSideMove, without: 'no server-side move' },
  setMtime: { allows: (c) => c.mtime.support === 'any-time', without: "mtime support is not 'any-time'" },
  // Immutable objects cannot take new metadata either: only a new upload replaces it.
  setMetadata: { allows: (c) => c.metadata && !c.immutable, without: 'no custom metadata, or objects are immutable' },
  makeFolder: { allows: (c) => c.folders === 'real', without: 'folders are virtual' },
  removeFolder: { allows: (c) => c.folders === 'real', without: 'folders are virtual' },
  listVersions: { allows: (c) => c.versioning !== 'none', without: 'no versioning' },
  readVersion: { allows: (c) => c.versioning !== 'none', without: 'no versioning' },
  deleteVersion: { allows: (c) => c.versioning !== 'none', without: 'no versioning' },
  requestRestore: { allows: (c) => c.archive.restore !== 'none', without: 'nothing is ever archived' },
  listBuckets: { allows: () => true, without: '' },
  createBucket: { allows: () => true, without: '' },
  // Any provider may leave partial uploads or temporary files behind; implementing it is the declaration.
  cleanupIncomplete: { allows: () => true, without: '' },
});

export const OPTIONAL_OPERATIONS = Object.keys(OPERATION_GATES) as OptionalOperation[];

type WithOperation<K extends OptionalOperation> = StorageProvider & Required<Pick<StorageProvider, K>>;

/** Whether capabilities `c` allow optional operation `op` (implemented or not). */
export function capabilitiesAllow(c: Capabilities, op: OptionalOperation): boolean {
  return OPERATION_GATES[op].allows(c);
}

/**
 * Whether the provider can perform an optional operation: it implements it and its
 * capabilities allow it. The only way the kernel decides to use an optional operation.
 */
export function supports<K extends OptionalOperation>(provider: StorageProvider, op: K): provider is WithOperation<K> {
  return typeof provider[op] === 'function' && OPERATION_GATES[op].allows(provider.capabilities);
}

/** Why the provider cannot perform `op` (not implemented, or its capabilities forbid it), or undefined when it can. */
export function unsupportedReason(provider: StorageProvider, op: OptionalOperation): string | undefined {
  // The capability first: it says why in the user's terms ("folders are virtual").
  if (!OPERATION_GATES[op].allows(provider.capabilities)) return OPERATION_GATES[op].without;
  return typeof provider[op] === 'function' ? undefined : `no ${op}`;
}
