import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * What Nimbus knows about one file at the destination: the facts of the original
 * (size, mtime, hash: what change detection compares) and of the stored object
 * (stored size, transforms, ids, archive state) that the provider may not keep itself.
 */
@Entity({ name: 'files' })
@Index('files_dir', ['dir'])
export class FileRecord {
  /** Path relative to the destination root, `/`-separated. */
  @PrimaryColumn({ type: 'text' })
  path!: string;

  /** Parent folder of `path` ('' at the root): the unit of batched reads. */
  @Column({ type: 'text' })
  dir!: string;

  /** Size of the original (source) file. */
  @Column({ type: 'integer' })
  size!: number;

  /** Modification time of the original, ms since epoch. */
  @Column({ type: 'integer' })
  mtime!: number;

  /** SHA-256 of the original content (hex), when computed. */
  @Column({ type: 'text', nullable: true })
  sha256!: string | null;

  /** Size of the stored object (differs when compressed or encrypted). */
  @Column({ type: 'integer', name: 'stored_size' })
  storedSize!: number;

  @Column({ type: 'boolean', default: false })
  compressed!: boolean;

  @Column({ type: 'boolean', default: false })
  encrypted!: boolean;

  /** mtime as the provider reported it after upload (to notice changes made behind our back). */
  @Column({ type: 'integer', name: 'remote_mtime', nullable: true })
  remoteMtime!: number | null;

  @Column({ type: 'text', name: 'remote_id', nullable: true })
  remoteId!: string | null;

  @Column({ type: 'text', name: 'version_id', nullable: true })
  versionId!: string | null;

  /** online | archived | restoring | restored (see ArchiveStatus); null when never archived. */
  @Column({ type: 'text', name: 'archive_status', nullable: true })
  archiveStatus!: string | null;

  @Column({ type: 'integer', name: 'restore_requested_at', nullable: true })
  restoreRequestedAt!: number | null;

  @Column({ type: 'integer', name: 'restore_expires_at', nullable: true })
  restoreExpiresAt!: number | null;

  /** When the current copy was stored (ms), when known. */
  @Column({ type: 'integer', name: 'stored_at', nullable: true })
  storedAt!: number | null;

  /** Run that last uploaded or confirmed this file. */
  @Column({ type: 'integer', name: 'last_run' })
  lastRun!: number;
}
