import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Key/value facts about the database itself (which destination it describes...). */
@Entity({ name: 'meta' })
export class MetaRecord {
  @PrimaryColumn({ type: 'text' })
  key!: string;

  @Column({ type: 'text' })
  value!: string;
}
