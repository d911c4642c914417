import { tmpdir } from 'node:os';
import { validateProfile, type LoadedProfile } from '../config/load-profile.js';
import { describeError, isProviderError, UserError } from '../errors/nimbus-error.js';
import { silentLogger, type Logger } from '../log/logger.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import { supports } from '../provider/operations.js';
import type { BucketInfo } from '../provider/storage-provider.js';
import { resolveDestination } from './destination.js';
import type { PasswordPrompt } from './resolve-password.js';
import { connectDestination } from './session.js';

export interface BucketListingRequest {
  readonly loaded: LoadedProfile;
  readonly registry: PluginRegistry;
  readonly env?: NodeJS.ProcessEnv;
  readonly prompt?: PasswordPrompt;
  readonly logger?: Logger;
}

/**
 * What the destination's account holds (buckets, containers, drives, shared drives,
 * libraries), for choosing one. Connects as a dry run, so nothing is created.
 */
export async function listDestinationBuckets(request: BucketListingRequest): Promise<{ label: string; buckets: BucketInfo[] }> {
  const env = request.env ?? process.env;
  const destination = await resolveDestination(request.loaded, request.registry, { env, ...(request.prompt ? { prompt: request.prompt } : {}) });
  const provider = await connectDestination(destination, request.loaded, request.logger ?? silentLogger, tmpdir(), true, env);
  try {
    if (!supports(provider, 'listBuckets')) {
      throw new UserError(`${destination.manifest.displayName} cannot list what the account holds: type the bucket, drive or library name in the profile's destination`);
    }
    try {
      const buckets = await provider.listBuckets!();
      return { label: destination.label, buckets: [...buckets].sort((a, b) => a.name.localeCompare(b.name)) };
    } catch (error) {
      if (isProviderError(error, 'permission') || isProviderError(error, 'auth')) {
        throw new UserError(`the account may not list its buckets, drives or libraries at ${destination.label} (${describeError(error)}): type the name in the profile's destination`);
      }
      throw error;
    }
  } finally {
    await provider.close?.();
  }
}

/** A throw-away profile for `nimbus buckets <provider>: [--account] [--connection]`: just a destination block. */
export function bucketListingProfile(destination: Record<string, unknown>, cwd = process.cwd()): LoadedProfile {
  return validateProfile({ source: cwd, destination }, 'command line', cwd, 'buckets');
}
