import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A previous copy of a file kept by Nimbus in the destination's `$SBV$` versions folder
 * (providers without versioning of their own). Native versions are listed from the provider.
 */
@Entity({ name: 'versions' })
@Index('versions_path', ['path'])
export class VersionRecord {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  /** The file's own path. */
  @Column({ type: 'text' })
  path!: string;

  /** Where the copy is kept now (under `$SBV$/`). */
  @Column({ type: 'text' })
  location!: string;

  /** When this copy was stored (uploaded) as the current one. */
  @Column({ type: 'integer', name: 'stored_at' })
  storedAt!: number;

  /** When it stopped being current (overwritten or deleted). */
  @Column({ type: 'integer', name: 'superseded_at' })
  supersededAt!: number;

  @Column({ type: 'integer' })
  size!: number;

  @Column({ type: 'integer' })
  mtime!: number;

  @Column({ type: 'text', nullable: true })
  sha256!: string | null;

  @Column({ type: 'integer', name: 'stored_size' })
  storedSize!: number;

  @Column({ type: 'boolean', default: false })
  compressed!: boolean;

  @Column({ type: 'boolean', default: false })
  encrypted!: boolean;
}
