import { z } from '@nimbus/kernel/plugin';

/** The `destination` block of a profile using the local plugin: `{ provider: local, path: ./backup }`. */
export const localConfigSchema = z.strictObject({
  /** Folder acting as the cloud; relative paths are resolved against the profile's folder; `~/` works. */
  path: z.string().min(1, 'give the destination folder, e.g. path: ./backup'),
  /**
   * Flush each file to disk before it replaces the old one (slower: one fsync per file).
   * Off by default, as in rclone; a file cut short by a power loss is caught on restore by its SHA-256.
   */
  fsync: z.boolean().default(false),
});

export type LocalConfig = z.output<typeof localConfigSchema>;
