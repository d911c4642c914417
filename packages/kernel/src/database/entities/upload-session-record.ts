import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A chunked upload (multipart, blocks, large file, segments) started and not finished: kept
 * so that a run killed during a big upload resumes it instead of sending it all again.
 */
@Entity({ name: 'upload_sessions' })
export class UploadSessionRecord {
  /** Destination path. */
  @PrimaryColumn({ type: 'text' })
  path!: string;

  /** Identity of the source content being sent (size, mtime, format): reused only for the same. */
  @Column({ type: 'text' })
  source!: string;

  /** The plugin's session state (upload id, session URL...). */
  @Column({ type: 'text' })
  state!: string;

  @Column({ type: 'integer', name: 'part_size' })
  partSize!: number;

  @Column({ type: 'integer', name: 'started_at' })
  startedAt!: number;
}
