import {
  ProviderError,
  type ArchiveRestoreModel,
  type ArchiveState,
  type Capabilities,
  type RemoteEntry,
  type RestoreRequest,
  type StorageProvider,
} from '@nimbus/kernel';

/** Test control over which objects sit in the archive tier and how their restores go. */
export interface ArchiveControl {
  /** Move an object to the archive tier (unreadable until restored). */
  archive(path: string): void;
  /** Finish the restore of an object: a readable copy exists now. */
  complete(path: string): void;
  /** A temporary copy ran out: the object is archived again. */
  expire(path: string): void;
  /** Restore requests received, in order. */
  readonly requests: { path: string; request: RestoreRequest }[];
}

const TIER = 'ARCHIVE';

/**
 * An archive tier with a controllable restore state that can be laid over any provider,
 * to test the kernel's archive mechanism against the provider contract
 * (ProviderError('archived') on read, `requestRestore`, `archive` state in entries).
 * The state lives with the simulation, so it survives reconnecting (as it would on a
 * real service). Wire-level behaviour of real services is tested by the S3 and Azure proxies.
 */
export function createArchiveSimulation(model: Exclude<ArchiveRestoreModel, 'none'> = 'temporary-copy'): {
  wrap(inner: StorageProvider): StorageProvider;
  control: ArchiveControl;
} {
  const states = new Map<string, ArchiveState>();
  const requests: ArchiveControl['requests'] = [];
  const wrap = (inner: StorageProvider): StorageProvider => {
    const capabilities: Capabilities = Object.freeze({
      ...inner.capabilities,
      archive: { tiers: ['STANDARD', TIER], archiveTiers: [TIER], restore: model, restorePriorities: ['Standard', 'Bulk'] },
    });
    const decorate = (entry: RemoteEntry): RemoteEntry => {
      const state = states.get(entry.path);
      return state ? { ...entry, archive: state } : entry;
    };
    return Object.assign(Object.create(inner) as StorageProvider, {
      capabilities,
      async *list(dir: string, options?: Parameters<StorageProvider['list']>[1]) {
        for await (const page of inner.list(dir, options)) yield page.map(decorate);
      },
      async stat(path: string) {
        const entry = await inner.stat(path);
        return entry && decorate(entry);
      },
      async read(path: string, options?: Parameters<StorageProvider['read']>[1]) {
        const state = states.get(path);
        if (state && (state.status === 'archived' || state.status === 'restoring')) {
          throw new ProviderError('archived', `${path} is in the ${TIER} tier`);
        }
        return inner.read(path, options);
      },
      async requestRestore(path: string, request: RestoreRequest): Promise<ArchiveState> {
        requests.push({ path, request });
        const state = states.get(path);
        if (!state) throw new ProviderError('invalid', `${path} is not archived`);
        if (state.status === 'archived') states.set(path, { status: 'restoring', tier: TIER });
        return states.get(path)!;
      },
    });
  };
  const control: ArchiveControl = {
    archive: (path) => void states.set(path, { status: 'archived', tier: TIER }),
    complete: (path) =>
      void states.set(
        path,
        model === 'rehydrate' ? { status: 'online', tier: 'STANDARD' } : { status: 'restored', tier: TIER, expiresAt: Date.now() + 86_400_000 },
      ),
    expire: (path) => void states.set(path, { status: 'archived', tier: TIER }),
    requests,
  };
  return { wrap, control };
}
