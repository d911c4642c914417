import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One part of an upload session, acknowledged by the service. */
@Entity({ name: 'upload_parts' })
export class UploadPartRecord {
  /** The session's destination path. */
  @PrimaryColumn({ type: 'text' })
  path!: string;

  /** 1-based part number. */
  @PrimaryColumn({ type: 'integer' })
  number!: number;

  @Column({ type: 'integer' })
  size!: number;

  /** Lower-case hex digest of the part (the plugin's per-part algorithm), when known. */
  @Column({ type: 'text', nullable: true })
  digest!: string | null;

  /** What the commit needs for the part (ETag, block id...). */
  @Column({ type: 'text' })
  token!: string;
}
