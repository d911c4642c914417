import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A folder known at the destination: lets a run notice a whole folder removed from the
 * source by reading one level at a time, and remembers empty folders made on providers
 * with real folders.
 */
@Entity({ name: 'folders' })
@Index('folders_parent', ['parent'])
export class FolderRecord {
  @PrimaryColumn({ type: 'text' })
  path!: string;

  @Column({ type: 'text' })
  parent!: string;

  /** True when the folder was created explicitly at the destination (real-folder providers). */
  @Column({ type: 'boolean', default: false })
  created!: boolean;

  @Column({ type: 'integer', name: 'last_run' })
  lastRun!: number;
}
