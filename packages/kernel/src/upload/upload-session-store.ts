import type { PartReceipt } from './chunked-upload-protocol.js';

/** A chunked upload in progress, as kept in the cloud database to be resumed by a later run. */
export interface SavedUploadSession {
  /** Destination path. */
  readonly path: string;
  /** Identity of the source content the session is sending (see ResumableWrite.source). */
  readonly source: string;
  /** The plugin's session state (upload id, session URL...). */
  readonly state: string;
  /** Bytes per part (the last one may be shorter): a resumed session keeps its cut. */
  readonly partSize: number;
  readonly startedAt: number;
  /** Parts acknowledged by the service, as the plugin described them. */
  readonly parts: readonly PartReceipt[];
}

/** Where sessions are kept between runs (the cloud database). */
export interface UploadSessionStore {
  findUploadSession(path: string): Promise<SavedUploadSession | undefined>;
  /** Record a new session (replacing any earlier one for the path), with no parts yet. */
  saveUploadSession(session: Omit<SavedUploadSession, 'parts'>): Promise<void>;
  addUploadPart(path: string, part: PartReceipt): Promise<void>;
  removeUploadSession(path: string): Promise<void>;
}

/** What a write needs to resume an interrupted upload of the same content. */
export interface ResumableWrite {
  readonly store: UploadSessionStore;
  /**
   * Identity of the source content (e.g. size, mtime and stored format): a saved session
   * is reused only for the same identity; another one aborts it. Each resumed part is also
   * checked against the bytes read now (size and digest) before it is trusted.
   */
  readonly source: string;
}
