import { z } from '@nimbus/kernel/plugin';
import { PRESETS } from './presets.js';

const MB = 1000 * 1000;

/** The `destination` block of a profile for `provider: openstack`. */
export const openstackConfigSchema = z.strictObject({
  /** Fills in authUrl, authVersion and region for a known service. */
  preset: z.enum(Object.keys(PRESETS) as [keyof typeof PRESETS, ...(keyof typeof PRESETS)[]]).optional(),
  /** The Identity (auth) URL, e.g. https://keystone.example:5000/v3 or http://swift:8080/auth/v1.0. */
  authUrl: z.string().url().optional(),
  /** 1 (tempauth/swauth), 2 or 3; default: from the auth URL (/v1.0, /v2.0, /v3), else 2. */
  authVersion: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional(),
  /** The seed's "Use Identity V3 API" switch: the same as authVersion: 3. */
  useIdentityV3: z.boolean().optional(),
  /** User name (v1: `account:user`). */
  user: z.string().min(1).optional(),
  userId: z.string().min(1).optional(),
  /** API key (v1) or password (v2/v3). */
  key: z.string().min(1).optional(),
  /** v2 tenant / v3 project, by name or id; optional as most accounts have a default. */
  tenant: z.string().min(1).optional(),
  tenantId: z.string().min(1).optional(),
  /** v3: the user's domain (default "Default"); the project's domain defaults to it. */
  domain: z.string().min(1).optional(),
  projectDomain: z.string().min(1).optional(),
  /** v3 application credentials: id (or name with user), and secret. */
  applicationCredentialId: z.string().min(1).optional(),
  applicationCredentialName: z.string().min(1).optional(),
  applicationCredentialSecret: z.string().min(1).optional(),
  /** Region of the object-store endpoint in the service catalog; default: the first listed. */
  region: z.string().min(1).optional(),
  /** Catalog interface to use. */
  interface: z.enum(['public', 'internal', 'admin']).default('public'),
  /** Skip the catalog and use this storage URL (with the token from the auth URL). */
  storageUrl: z.string().url().optional(),
  container: z.string().min(1),
  /** Folder inside the container everything goes below. */
  path: z.string().default(''),
  /** Files of this many bytes or more go up as segments joined by an SLO manifest. */
  largeFileThreshold: z.number().int().min(1).default(10 * MB),
  /** Size of each segment (the last one may be smaller). */
  segmentSize: z.number().int().min(1).default(10 * MB),
  /** Segments of one file sent at once. */
  segmentConcurrency: z.number().int().min(1).max(32).default(4),
  /** Container holding the segments; default `<container>_segments`. */
  segmentsContainer: z.string().min(1).optional(),
  /** cleanupIncomplete only removes unreferenced segments older than this (other writers' uploads in flight). */
  orphanSegmentGraceMinutes: z.number().min(0).default(0),
  /** Create the container when missing (never during a dry run). */
  createContainer: z.boolean().default(true),
});

export type OpenstackConfig = z.infer<typeof openstackConfigSchema>;

export const SECRET_FIELDS = ['key', 'applicationCredentialSecret'] as const;
