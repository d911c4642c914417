import { z } from '@nimbus/kernel';

/** The `destination` block of a profile using the local plugin: `{ provider: local, path: ./backup }`. */
export const localConfigSchema = z.strictObject({
  /** Folder acting as the cloud; relative paths are resolved against the profile's folder; `~/` works. */
  path: z.string().min(1, 'give the destination folder, e.g. path: ./backup'),
});

export type LocalConfig = z.infer<typeof localConfigSchema>;
