import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type RunStatus = 'running' | 'completed' | 'completed-with-failures' | 'failed';

/** One run of a profile: when, and what it did. */
@Entity({ name: 'runs' })
export class RunRecord {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'text' })
  mode!: string;

  @Column({ type: 'integer', name: 'started_at' })
  startedAt!: number;

  @Column({ type: 'integer', name: 'finished_at', nullable: true })
  finishedAt!: number | null;

  @Column({ type: 'text' })
  status!: RunStatus;

  @Column({ type: 'integer', name: 'files_uploaded', default: 0 })
  filesUploaded!: number;

  @Column({ type: 'integer', name: 'bytes_uploaded', default: 0 })
  bytesUploaded!: number;

  @Column({ type: 'integer', name: 'files_deleted', default: 0 })
  filesDeleted!: number;

  @Column({ type: 'integer', name: 'files_failed', default: 0 })
  filesFailed!: number;
}
