import { z } from 'zod';

export const COMPARE_METHODS = ['size-mtime', 'hash'] as const;
export const CONFLICT_RULES = ['newer', 'source', 'destination', 'keep-both'] as const;

export const filtersSchema = z.strictObject({
  /** When set, only paths matching one of these globs are considered. */
  include: z.array(z.string().min(1)).default([]),
  /** Paths matching any of these globs are ignored on both sides (never uploaded, never deleted). */
  exclude: z.array(z.string().min(1)).default([]),
});

/** How previous copies are kept when a run overwrites or deletes a destination file. */
export const versioningSchema = z.strictObject({
  /** Newest versions kept per file; 0 keeps none. */
  keep: z.int().min(0, 'use 0 (keep none) or more').max(10_000, 'keep at most 10000 versions').default(32),
  /** Also drop versions older than this many days (kept otherwise while within `keep`). */
  maxAgeDays: z.number().positive('give a number of days above 0').max(36_500).optional(),
});

/** Encryption of stored file contents (AES-256-GCM, key from the password with scrypt). */
export const encryptionSchema = z
  .strictObject({
    /** The password itself (prefer passwordEnv or prompt: a profile file is easily copied). */
    password: z.string().min(8, 'use a password of at least 8 characters').optional(),
    /** Name of an environment variable holding the password. */
    passwordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'give an environment variable name').optional(),
    /** Ask for the password on the terminal at each run (a run without a terminal fails at once). */
    prompt: z.boolean().default(false),
  })
  .refine((e) => [e.password !== undefined, e.passwordEnv !== undefined, e.prompt].filter(Boolean).length === 1, {
    message: 'give exactly one of password, passwordEnv or prompt: true',
  });

/** How objects in an archive tier (Glacier, Azure Archive) are brought back when a run must read them. */
export const archiveRestoreSchema = z.strictObject({
  /** Days a temporary restored copy stays readable (S3 Glacier). */
  days: z.int().min(1).max(365).optional(),
  /** Retrieval priority, e.g. Expedited, Standard or Bulk (S3), Standard or High (Azure). */
  priority: z.string().min(1).optional(),
  /** Tier to rehydrate to (Azure: Hot or Cool). */
  targetTier: z.string().min(1).optional(),
});

/** The destination block: `provider` picks the plugin, the rest is checked by the plugin's own schema. */
export const destinationSchema = z
  .object({
    provider: z.string().min(1, 'name a provider plugin, e.g. "local"').optional(),
    /** Named settings from connections.yaml, merged under the block's own. */
    connection: z.string().min(1).optional(),
  })
  .catchall(z.unknown())
  .refine((d) => d.provider !== undefined || d.connection !== undefined, { message: 'name a provider plugin, e.g. "local" (or a connection from connections.yaml)', path: ['provider'] });

/**
 * A profile: "keep this folder safe in that place". Every field is checked; unknown fields are
 * errors (a misspelt option silently ignored is how backups go wrong).
 */
export const profileSchema = z.strictObject({
  /** Name of the profile; defaults to the profile file's base name. */
  name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'use 1-64 letters, digits, dots, dashes or underscores').optional(),
  /** backup: one-way, source to destination. sync: changes on either side go to the other. */
  mode: z.enum(['backup', 'sync']).default('backup'),
  /** sync: how a file changed on both sides since the last run is settled. */
  conflicts: z.enum(CONFLICT_RULES).default('newer'),
  /** sync: a run that would delete more than this share of the files stops before deleting (unless forced). */
  maxDeletePercent: z.number().min(0).max(100).default(50),
  /** The folder to keep safe. */
  source: z.string().min(1),
  destination: destinationSchema,
  filters: filtersSchema.default({ include: [], exclude: [] }),
  /** How unchanged files are recognised. */
  compare: z.enum(COMPARE_METHODS).default('size-mtime'),
  /** Delete destination files whose source file is gone. */
  deleteRemoved: z.boolean().default(true),
  versioning: versioningSchema.default({ keep: 32 }),
  /** Compress file contents before storing them (Brotli); `{ level: 0-11 }` sets the effort. */
  compression: z.union([z.boolean(), z.strictObject({ level: z.int().min(0).max(11) })]).default(false),
  encryption: encryptionSchema.optional(),
  /** Archive restores; unset fields take the provider's own defaults (its settings). */
  archiveRestore: archiveRestoreSchema.default({}),
  /** Files transferred at once. */
  transfers: z.int().min(1).max(256).default(4),
  /**
   * List the destination on every run and compare with it, instead of trusting the cloud
   * database (slower; catches changes made behind Nimbus's back).
   */
  verifyRemote: z.boolean().default(false),
  /** Plugin packages (or module paths) to load besides installed ones. */
  plugins: z.array(z.string().min(1)).default([]),
  /**
   * Keep a copy of the cloud database at the destination (in `$NIMBUS$/`) after each run, so
   * another machine, or this one after a disk loss, resumes without listing everything.
   */
  remoteDatabaseCopy: z.boolean().default(false),
  /** Where this profile's cloud database lives (default: the user's data directory). */
  databaseDir: z.string().min(1).optional(),
});

export type ProfileInput = z.input<typeof profileSchema>;
export type Profile = z.output<typeof profileSchema>;
export type VersioningSettings = z.output<typeof versioningSchema>;
export type ConflictRule = (typeof CONFLICT_RULES)[number];
export type EncryptionSettings = z.output<typeof encryptionSchema>;
export type CompareMethod = (typeof COMPARE_METHODS)[number];
