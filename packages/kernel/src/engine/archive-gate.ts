import type { Readable } from 'node:stream';
import type { FileFacts } from '../database/cloud-database.js';
import { isProviderError, ProviderError } from '../errors/nimbus-error.js';
import type { Logger } from '../log/logger.js';
import { supports } from '../provider/operations.js';
import type { ArchiveState } from '../provider/remote-entry.js';
import type { RestoreRequest } from '../provider/storage-provider.js';
import type { StorageProvider } from '../provider/storage-provider.js';

/** The object could be opened, or it waits in an archive tier (and the record says since when). */
export type GateResult =
  | { readonly kind: 'open'; readonly stream: Readable; readonly record: FileFacts }
  | { readonly kind: 'pending'; readonly requested: boolean; readonly record: FileFacts };

/**
 * Reads objects that may sit in an archive tier (S3 Glacier/Deep Archive, Azure Archive),
 * the same way for every provider: a read that finds the object archived requests a
 * restore (temporary copy or rehydration, as the provider's model says), logs it, and
 * reports the file as pending so the run goes on; a later run checks the state and reads
 * the object once it is readable. A temporary copy that expired is requested again.
 * The returned record carries the archive state to store in the cloud database.
 */
export class ArchiveGate {
  constructor(
    private readonly provider: StorageProvider,
    private readonly logger: Logger,
    private readonly request: RestoreRequest = {},
    private readonly now: () => number = Date.now,
  ) {}

  async open(record: FileFacts): Promise<GateResult> {
    if (record.archiveStatus === 'archived' || record.archiveStatus === 'restoring') {
      const entry = await this.provider.stat(record.path);
      if (!entry) throw new ProviderError('not-found', `${record.path} is no longer at the destination`);
      const state = entry.archive;
      if (state?.status === 'restoring') return { kind: 'pending', requested: false, record: this.withState(record, state) };
      if (state?.status === 'archived') return this.requestRestore(record);
      // Readable now: online again, or a restored copy is available.
    }
    try {
      const stream = await this.provider.read(record.path);
      // Only an object we knew as archived becomes 'restored'; 'online' and unknown stay as they are.
      const wasArchived = record.archiveStatus === 'archived' || record.archiveStatus === 'restoring';
      const readable = wasArchived ? { ...record, archiveStatus: this.provider.capabilities.archive.restore === 'rehydrate' ? 'online' : 'restored' } : record;
      return { kind: 'open', stream, record: readable };
    } catch (error) {
      if (!isProviderError(error, 'archived')) throw error;
      return this.requestRestore(record);
    }
  }

  /**
   * Make the object readable at the destination without reading it (a server-side copy or
   * move needs that too): ready when it is online or a restored copy exists; otherwise a
   * restore is requested (once: a running one is only waited for) and it is not ready yet.
   * The returned record carries the archive state to store.
   */
  async prepare(record: FileFacts): Promise<{ readonly ready: boolean; readonly record: FileFacts }> {
    const entry = await this.provider.stat(record.path);
    if (!entry) throw new ProviderError('not-found', `${record.path} is no longer at the destination`);
    const state = entry.archive;
    if (!state || isReadable(state)) return { ready: true, record: state ? this.withState(record, state) : record };
    if (state.status === 'restoring') return { ready: false, record: this.withState(record, state) };
    const asked = await this.askRestore(record);
    return { ready: isReadable(asked.state), record: asked.record };
  }

  private async requestRestore(record: FileFacts): Promise<GateResult> {
    const { state, record: updated } = await this.askRestore(record);
    if (isReadable(state)) return { kind: 'open', stream: await this.provider.read(record.path), record: updated };
    return { kind: 'pending', requested: true, record: updated };
  }

  private async askRestore(record: FileFacts): Promise<{ state: ArchiveState; record: FileFacts }> {
    if (!supports(this.provider, 'requestRestore')) {
      throw new ProviderError('archived', `${record.path} is archived and this destination offers no way to restore it`);
    }
    const state = await this.provider.requestRestore(record.path, this.request);
    this.logger.info(
      `${record.path} is in archive storage${state.tier ? ` (${state.tier})` : ''}: restore requested; run again once it is ready (this can take hours)`,
    );
    return { state, record: { ...this.withState(record, state), restoreRequestedAt: this.now() } };
  }

  private withState(record: FileFacts, state: ArchiveState): FileFacts {
    return { ...record, archiveStatus: state.status, restoreExpiresAt: state.expiresAt ?? null };
  }
}

function isReadable(state: ArchiveState): boolean {
  return state.status === 'restored' || state.status === 'online';
}
